// The test runner behind `npm test` and its variants. Builds the generated client when it is
// stale, compiles the project with its tests incrementally, then runs the chosen files with Node's
// test runner, several files at once, each in its own process (and, on PostgreSQL, its own
// database: scripts/test-database.mjs). Ends with one "N passed, N failed" line.
//
// Usage: node scripts/test.mjs [suite...] [pattern...] [--watch] [--coverage]
//   suites:   unit (src/**/*.spec.ts, and the client SDK's test/sdk/*.spec.ts), e2e (test/e2e, test/security), cluster (test/cluster:
//             several server processes on one PostgreSQL server; needs DATABASE_URL), browser
//             (test/browser: Swagger UI in Chromium), all (every suite). Default: unit and e2e,
//             or every suite when a pattern is given.
//   pattern:  runs only the files whose path contains it (`npm test -- todos`).
//   --watch:  recompiles on change and reruns the affected files.
//   --coverage: line coverage of src/ with a threshold (on by default when CI=true for the unit and
//             e2e run that no pattern narrows). Report in coverage/.
// TEST_CONCURRENCY sets how many files run at once (default: the number of CPUs, at least 2).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileDatabaseName, onBaseDatabase } from './test-database.mjs';

/** Coverage of src/ that a full unit-and-e2e run must reach, in percent; CI fails below it. */
const COVERAGE = { lines: 95, branches: 90 };

const SUITES = {
  unit: { dirs: ['src', 'test/sdk'], suffix: '.spec.ts' },
  e2e: { dirs: ['test/e2e', 'test/security'], suffix: '.e2e-spec.ts' },
  cluster: { dirs: ['test/cluster'], suffix: '.e2e-spec.ts', needsPostgres: true },
  browser: { dirs: ['test/browser'], suffix: '.e2e-spec.ts' },
};

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const words = args.filter((a) => !a.startsWith('--'));
const named = words.flatMap((w) => (w === 'all' ? Object.keys(SUITES) : w in SUITES ? [w] : []));
const patterns = words.filter((w) => w !== 'all' && !(w in SUITES));
const suites = named.length > 0 ? [...new Set(named)] : patterns.length > 0 ? Object.keys(SUITES) : ['unit', 'e2e'];
const watch = flags.has('--watch');
// In CI by default only for the run whose threshold is checked (unit and e2e, unnarrowed).
const coverage =
  !watch &&
  (flags.has('--coverage') || (process.env.CI === 'true' && patterns.length === 0 && suites.includes('unit') && suites.includes('e2e')));
const databaseUrl = process.env.DATABASE_URL;

const step = (command, commandArgs) => {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

// The e2e suite imports the client as built.
step(process.execPath, ['scripts/client.mjs']);

// Incremental: the build information lives in dist/, so a `nest build` (which empties dist/)
// forces a full compile instead of leaving outputs missing.
const TSC = ['tsc', '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'];
if (!watch) step('npx', TSC);

/** Test files from the source tree (so a deleted test's stale output in dist/ never runs), as compiled paths. */
function filesOf(name) {
  const suite = SUITES[name];
  const dirs = suite.dirs ?? [suite.dir];
  return dirs
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith(suite.suffix))
        .map((f) => join(dir, f)),
    )
    .filter((f) => patterns.length === 0 || patterns.some((p) => f.includes(p)))
    .map((f) => join('dist', f.replace(/\.ts$/, '.js')))
    .sort();
}

const files = [];
for (const name of suites) {
  const found = filesOf(name);
  if (found.length > 0 && SUITES[name].needsPostgres && !databaseUrl) {
    console.log(`test/${name} not run: it needs a PostgreSQL server (set DATABASE_URL); CI runs it`);
    continue;
  }
  files.push(...found);
}
if (files.length === 0) {
  console.error(`No test files match ${patterns.length > 0 ? patterns.join(', ') : suites.join(', ')}`);
  process.exit(1);
}

// Slowest first, by the durations the last run recorded (files it did not run keep their place).
const DURATIONS = join('dist', '.test-durations.json');
const known = (() => {
  try {
    return JSON.parse(readFileSync(DURATIONS, 'utf8'));
  } catch {
    return {};
  }
})();
const lastTime = (file) => known[file] ?? known[file.replace(/^dist\//, '').replace(/\.js$/, '.ts')] ?? Infinity;
files.sort((a, b) => lastTime(b) - lastTime(a) || a.localeCompare(b));

const concurrency = Number(process.env.TEST_CONCURRENCY) || Math.max(2, availableParallelism());
const coverageDir = join('coverage', 'tmp');
if (coverage) rmSync('coverage', { recursive: true, force: true });
const env = {
  // Node 22+ keeps compiled code between runs (node_modules and dist alike); older Node ignores it.
  NODE_COMPILE_CACHE: join('node_modules', '.cache', 'node-compile'),
  ...process.env,
  ...(databaseUrl ? { TEST_DATABASE_PER_FILE: '1' } : {}),
  ...(coverage ? { NODE_V8_COVERAGE: coverageDir } : {}),
};

if (watch) {
  // tsc rewrites dist/ on each change; node's watch mode reruns the files whose imports changed.
  const tsc = spawn('npx', [...TSC, '--watch', '--preserveWatchOutput'], { stdio: 'inherit' });
  process.on('exit', () => tsc.kill());
}

const child = spawn(
  process.execPath,
  [
    '--enable-source-maps',
    '--import',
    './scripts/test-database.mjs',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    ...(watch ? [] : ['--test-reporter=./scripts/durations-reporter.mjs', `--test-reporter-destination=${DURATIONS}.new`]),
    ...(watch ? ['--watch'] : []),
    ...files,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'], env },
);
let out = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  out += chunk;
});
child.on('close', async (code) => {
  let status = code === 0 ? 0 : 1;
  if (existsSync(`${DURATIONS}.new`)) {
    // Merged, so a narrowed run keeps what a full one learned about the other files.
    const fresh = JSON.parse(readFileSync(`${DURATIONS}.new`, 'utf8'));
    writeFileSync(`${DURATIONS}.new`, JSON.stringify({ ...known, ...fresh }));
    renameSync(`${DURATIONS}.new`, DURATIONS);
  }
  if (databaseUrl) {
    const names = files.map((f) => fileDatabaseName(databaseUrl, f));
    await onBaseDatabase(
      databaseUrl,
      names.map((name) => `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    ).catch((error) => console.error(`Could not drop the per-file test databases: ${error.message}`));
  }
  if (coverage) {
    const report = spawnSync(
      'npx',
      [
        'c8',
        'report',
        '--temp-directory',
        coverageDir,
        '--reports-dir',
        'coverage',
        '--reporter=text-summary',
        '--reporter=lcov',
        // Chosen by compiled path, before the source maps turn it back into src/…/*.ts (the
        // libraries' own maps also point into a src/ of theirs).
        '--include=dist/src/**',
        '--exclude=dist/src/**/*.spec.js',
        ...(patterns.length === 0 && suites.includes('unit') && suites.includes('e2e')
          ? ['--check-coverage', `--lines=${COVERAGE.lines}`, `--branches=${COVERAGE.branches}`]
          : []),
      ],
      { stdio: 'inherit' },
    );
    if (report.status !== 0) status = 1;
  }
  const count = (label) => Number(out.match(new RegExp(`^ℹ ${label} (\\d+)$`, 'm'))?.[1] ?? 0);
  const [passed, failed] = [count('pass'), count('fail')];
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(status === 0 && passed > 0 ? 0 : 1);
});
