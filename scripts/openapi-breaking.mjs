// `npm run openapi:breaking` (CI runs it): compares openapi.json with the last released document,
// read from the newest v* git tag when there is one, else from the committed
// openapi.released.json, with openapi-diff. A breaking change passes only when package.json's
// version is above the released one (the major, or under 0.x the minor) and CHANGELOG.md has a
// section for it. Works offline. Flags (for the tests): --current, --released, --package,
// --changelog name other files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: files } = parseArgs({
  options: {
    current: { type: 'string', default: 'openapi.json' },
    released: { type: 'string' },
    package: { type: 'string', default: 'package.json' },
    changelog: { type: 'string', default: 'CHANGELOG.md' },
  },
});

const scratch = mkdtempSync(join(tmpdir(), 'openapi-breaking-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/** The released document's path and version: the newest v* tag's openapi.json, or the committed copy. */
function released() {
  if (files.released) return { path: files.released, version: readJson(files.released).info.version };
  const tag = spawnSync('git', ['describe', '--tags', '--abbrev=0', '--match', 'v[0-9]*'], { encoding: 'utf8' });
  if (tag.status === 0 && tag.stdout.trim()) {
    const name = tag.stdout.trim();
    const path = join(scratch, 'released.json');
    const shown = spawnSync('git', ['show', `${name}:openapi.json`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (shown.status === 0) {
      writeFileSync(path, shown.stdout);
      return { path, version: name.slice(1) };
    }
  }
  return { path: 'openapi.released.json', version: readJson('openapi.released.json').info.version };
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

const parse = (version) => version.split(/[.+-]/, 3).map(Number);

/** A version that may carry breaking changes after `from`: the next major, or under 0.x the next minor. */
function breakingBumpOf(from, to) {
  const [fromMajor, fromMinor] = parse(from);
  const [toMajor, toMinor] = parse(to);
  if (fromMajor === 0) return toMajor > 0 || toMinor > fromMinor;
  return toMajor > fromMajor;
}

const base = released();
// openapi-diff: 0 no breaking change, 1 breaking changes (printed), anything else a failure of its own.
const diff = spawnSync(join('node_modules', '.bin', 'openapi-diff'), [base.path, files.current], { encoding: 'utf8' });
if (diff.status === 0) {
  console.log(`openapi.json: no breaking change against the released ${base.version}`);
  process.exit(0);
}
if (diff.status !== 1) {
  process.stderr.write(diff.stdout + diff.stderr);
  console.error('openapi-diff failed');
  process.exit(2);
}
process.stdout.write(diff.stdout);
const version = readJson(files.package).version;
const changelog = readFileSync(files.changelog, 'utf8');
const problems = [];
if (!breakingBumpOf(base.version, version)) {
  problems.push(
    `package.json's version ${version} must move past ${base.version} (the next ${parse(base.version)[0] === 0 ? 'minor' : 'major'})`,
  );
}
if (!new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\]`, 'm').test(changelog)) {
  problems.push(`CHANGELOG.md needs a "## [${version}]" section saying what breaks`);
}
if (problems.length > 0) {
  console.error(`\nBreaking changes against the released ${base.version}:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`Breaking changes against ${base.version}, released as ${version} with its CHANGELOG entry`);
