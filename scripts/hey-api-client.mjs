// A second client, from a generator nobody here wrote: @hey-api/openapi-ts makes a fetch client
// from openapi.json into clients/hey-api/src (not committed), and tsc compiles it under `strict`
// into clients/hey-api/dist, which the e2e suite imports as "#hey-api-client". Offline: the
// generator and its fetch client come from node_modules. Rebuilds when openapi.json or the
// tsconfig is newer than the build, or always with --force. Quiet when there is nothing to do.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CLIENT = 'clients/hey-api';
const built = join(CLIENT, 'dist', 'index.js');
const modified = (path) => statSync(path).mtimeMs;
const stale = () =>
  !existsSync(built) ||
  ['openapi.json', join(CLIENT, 'tsconfig.json'), 'scripts/hey-api-client.mjs'].some((f) => modified(f) > modified(built));

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (process.argv.includes('--force') || stale()) {
  rmSync(join(CLIENT, 'src'), { recursive: true, force: true });
  rmSync(join(CLIENT, 'dist'), { recursive: true, force: true });
  const bin = (name) => join('node_modules', '.bin', name);
  run(bin('openapi-ts'), ['-i', 'openapi.json', '-o', join(CLIENT, 'src'), '-c', '@hey-api/client-fetch', '--no-log-file', '--silent']);
  run(bin('tsc'), ['-p', join(CLIENT, 'tsconfig.json')]);
}
