// Builds the generated client, compiles the project with its tests, then runs them with Node's
// test runner one file at a time (the e2e files share one database), and closes with a
// "N passed, N failed" line.
// Usage: node scripts/test.mjs [unit|e2e|all]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const which = process.argv[2] ?? 'all';

// The e2e suite imports the client as built (package.json "imports": "#api-client"); its own
// packages are installed on the first run.
if (!existsSync('clients/typescript/node_modules')) {
  const install = spawnSync('npm', ['run', '--silent', 'client:install'], { stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}
const client = spawnSync('npm', ['run', '--silent', 'client:build'], { stdio: 'inherit' });
if (client.status !== 0) process.exit(client.status ?? 1);

rmSync('dist', { recursive: true, force: true });
const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const find = (dir, suffix) =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f))
    .sort();

// test/cluster runs several server processes on one PostgreSQL server, and cuts their connection
// to it: it needs DATABASE_URL, and says so rather than pass without running.
const cluster = which !== 'unit' && process.env.DATABASE_URL ? find('dist/test/cluster', '.e2e-spec.js') : [];
if (which !== 'unit' && !process.env.DATABASE_URL) {
  console.log('test/cluster not run: it needs a PostgreSQL server (set DATABASE_URL); CI runs it');
}

const files = [
  ...(which === 'e2e' ? [] : find('dist/src', '.spec.js')),
  ...(which === 'unit' ? [] : [...find('dist/test/e2e', '.e2e-spec.js'), ...find('dist/test/security', '.e2e-spec.js'), ...cluster]),
];

const child = spawn(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let out = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  out += chunk;
});
child.on('close', (code) => {
  const count = (label) => Number(out.match(new RegExp(`^ℹ ${label} (\\d+)$`, 'm'))?.[1] ?? 0);
  const [passed, failed] = [count('pass'), count('fail')];
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code === 0 && passed > 0 ? 0 : 1);
});
