/* global module */
// Dependency rules for src/, checked by `depcruise src --config .dependency-cruiser.cjs` (part of lint).
// Dependencies point down: features use the shared folders, never the other way, and no file
// reaches itself again through its imports.

/** The shared folders every feature may use; they use only each other. */
const SHARED = '^src/(common|config|database)/';

/**
 * The folders above the shared ones, top first. A folder imports only folders of the layers below
 * its own (and the shared ones): features depend downward, and no two folders need each other.
 * Below auth/ sit the modules it is made of, so a module it adds (a second factor) can use them too.
 */
const LAYERS = [
  ['auth', 'admin-bootstrap', 'todos', 'health', 'metrics'],
  ['account', 'idempotency'],
  ['mfa'],
  ['passwords'],
  ['sessions'],
  ['users'],
  ['rate-limit', 'mail'],
  ['audit'],
  ['security-events'],
];

/** What a lower folder may still import from a higher one. */
const LAYER_EXCEPTIONS = [
  // The route decorators (@Public, @Roles, @CurrentUser) are metadata every controller sets for
  // auth's global guards; they import nothing of auth's.
  '^src/auth/decorators/',
  // The role names `@Roles` takes, with the decorators: the audit trail's admin route sets them.
  '^src/users/role[.]enum[.]ts$',
  // The login's answer texts, which a session's start repeats for stale credentials.
  '^src/auth/messages[.]ts$',
  // Deactivations and role changes end the user's sessions in their own transaction.
  '^src/sessions/revoke-sessions[.]ts$',
];

const folders = (names) => `^src/(${names.join('|')})/`;

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
        'common/, config/ and database/ are used by every feature (auth, account, passwords, users, sessions, todos, admin-bootstrap, mail, rate-limit, health, metrics, idempotency, audit, security-events) and know none of them, nor the app around them.',
      from: { path: SHARED },
      to: { path: '^src/', pathNot: SHARED },
    },
    ...LAYERS.slice(1).map((layer, i) => {
      const above = LAYERS.slice(0, i + 1).flat();
      return {
        name: `${layer.join('-')}-imports-no-higher-layer`,
        severity: 'error',
        comment: `${layer.join(', ')} sit below ${above.join(', ')}, and import none of them.`,
        from: { path: folders(layer) },
        to: { path: folders(above), pathNot: LAYER_EXCEPTIONS },
      };
    }),
    {
      name: 'no-feature-imports-the-app',
      severity: 'error',
      comment: 'main, app.module, cli, seed and the OpenAPI builder assemble the features; no feature depends on them.',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+[.]ts$' },
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
