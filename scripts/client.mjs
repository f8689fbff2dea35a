// Makes sure the generated TypeScript clients are installed and built, which the tests and the
// type-check import as "#api-client" and "#hey-api-client" (package.json "imports"). Installs its packages on a fresh
// clone; rebuilds when openapi.json or the client's sources are newer than its build, or always
// with --force. Quiet when there is nothing to do.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CLIENT = 'clients/typescript';

function run(script) {
  const result = spawnSync('npm', ['run', '--silent', script], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const modified = (path) => statSync(path).mtimeMs;

function stale() {
  const built = join(CLIENT, 'dist', 'index.js');
  if (!existsSync(built)) return true;
  const sources = [
    'openapi.json',
    join(CLIENT, 'package.json'),
    join(CLIENT, 'tsconfig.json'),
    ...readdirSync(join(CLIENT, 'src'), { recursive: true })
      .map(String)
      .map((f) => join(CLIENT, 'src', f)),
  ];
  const builtAt = modified(built);
  return sources.some((source) => modified(source) > builtAt);
}

if (!existsSync(join(CLIENT, 'node_modules'))) run('client:install');
if (process.argv.includes('--force') || stale()) run('client:build');

// The second generator's client ("#hey-api-client"), built the same way when stale.
const second = spawnSync(process.execPath, ['scripts/hey-api-client.mjs', ...process.argv.slice(2)], { stdio: 'inherit' });
if (second.status !== 0) process.exit(second.status ?? 1);
