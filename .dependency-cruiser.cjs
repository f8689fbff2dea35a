/* global module */
// Dependency rules for src/, checked by `depcruise src --config .dependency-cruiser.cjs` (part of lint).
// Dependencies point down: features use the shared folders, never the other way, and no file
// reaches itself again through its imports.

/** The shared folders every feature may use; they use only each other. */
const SHARED = '^src/(common|config|database)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two files that can only be understood (and loaded) together: merge them or move the shared piece down.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'shared-imports-no-feature',
      severity: 'error',
      comment:
        'common/, config/ and database/ are used by every feature (auth, users, sessions, todos, mail, rate-limit, health, metrics, idempotency, security-events) and know none of them, nor the app around them.',
      from: { path: SHARED },
      to: { path: '^src/', pathNot: SHARED },
    },
    {
      name: 'src-imports-no-test',
      severity: 'error',
      comment: 'The application never depends on test support code.',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: a type from a feature still couples a shared file to it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
