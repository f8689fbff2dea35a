// npm run bench [-- --duration 10 --connections 50 --rounds 1 --embedded --smoke --phases me,todos,create,update,login,storm,failstorm]
// npm run bench -- --phases mfa     (logins with a second factor, by a Node client; not among the default phases)
// npm run bench -- --phases scale   (lists on a small and then a big data set; not among the default phases)
//
// Starts the built app on a fresh PostgreSQL database (bench_<pid> on 127.0.0.1:5432, dropped at
// the end) or, with --embedded, on PGlite in a temporary directory; seeds users with 20 todos
// each through the API; then drives it with wrk, and the bare baseline in bench/baseline/ with
// the same requests, phase by phase, in this one run. Prints one table and writes the same as
// JSON under bench/results/. Every server it starts is stopped on exit, error or Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { combine, drive, passwordGrant, summarise as summariseRun } from './login-client.mjs';
import { addWaits, sampleWaits } from './lock-waits.mjs';
import { enrol, mfaLogin, poolSizeFor, TotpUserPool } from './mfa-users.mjs';
import { summarise } from './profile-summary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `mfa` enrols hundreds of users (three password hashes each) before it measures: named only.
/**
 * Every per-client and per-account limit raised out of reach of the load: the bench measures the
 * work a request does, not the 429 a limit answers (a registration's verification mail spends the
 * client's mail budget too).
 */
const LIMITS_OFF = {
  RATE_LIMIT_LOGIN_PER_MINUTE: '100000000',
  RATE_LIMIT_LOGIN_FAILURES: '100000000',
  RATE_LIMIT_REGISTER_PER_HOUR: '100000000',
  RATE_LIMIT_MAIL_PER_HOUR: '100000000',
};

const DEFAULT_PHASES = ['me', 'todos', 'create', 'update', 'login', 'storm', 'failstorm'];
const PHASES = [...DEFAULT_PHASES, 'mfa'];
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    embedded: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    'app-port': { type: 'string', default: '3601' },
    'baseline-port': { type: 'string', default: '3602' },
    // A subset of the phases, for measuring one change quickly; the full run is the reference.
    // `mfa` and `scale` (the lists' latency on a small, then a big data set) run only when named here.
    phases: { type: 'string', default: DEFAULT_PHASES.join(',') },
    // Request phases run app, baseline, app, baseline, …: on a busy machine the median of the
    // rounds' ratios moves far less than one pair measured once.
    rounds: { type: 'string', default: '1' },
    // The app runs under V8's CPU profiler; the profile is written to bench/results/ and summarised.
    profile: { type: 'boolean', default: false },
  },
});
const selected = new Set(flags.phases.split(',').map((p) => p.trim()));
const scaleSelected = selected.delete('scale');
for (const p of selected) if (!PHASES.includes(p)) throw new Error(`--phases: unknown phase "${p}" (known: ${PHASES.join(', ')}, scale)`);
const smoke = flags.smoke;
if (scaleSelected && (smoke || flags.embedded || flags.profile))
  throw new Error('--phases scale runs on PostgreSQL at full size: not with --smoke, --embedded or --profile');
const duration = smoke ? 1 : Number(flags.duration);
const connections = smoke ? 4 : Number(flags.connections);
const warmup = smoke ? 0 : Math.max(1, Math.round(duration / 5));
const rounds = smoke ? 1 : Math.max(1, Number(flags.rounds));
const userCount = smoke ? 4 : Math.max(10, connections);
const todosPerUser = 20;
// GET /todos is sampled by this many connections while the login storm runs.
const probeConnections = smoke ? 1 : 4;
// The thread pool `npm run start:prod` gives the app (UV_THREADPOOL_SIZE, else one thread per
// CPU, as its `nproc`). The hashes the app runs at once, and hands libuv at once, are read from
// the build's own configuration once the app's environment is known; the baseline and the raw
// argon2 rate get the same pool and the same number.
const threadPoolSize = Number(process.env.UV_THREADPOOL_SIZE) || availableParallelism();
let hashConcurrency;
let hashesHandedOut;
const appPort = Number(flags['app-port']);
const baselinePort = Number(flags['baseline-port']);
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const GLIBC_TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=134217728';
const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const children = new Set();
const cleanups = [];
let cleaning;

/** Stops every child and runs the cleanups once; a second caller waits for the first. */
function cleanup() {
  cleaning ??= runCleanups();
  return cleaning;
}

async function runCleanups() {
  for (const child of children) child.kill('SIGTERM');
  const deadline = Date.now() + 5_000;
  while ([...children].some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await sleep(50);
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (error) {
      console.error(`cleanup: ${error.message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping servers`);
    cleanup().finally(() => process.exit(130));
  });
}

function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

/* ---------- prerequisites ---------- */

function ensureBuilt() {
  if (existsSync(join(root, 'dist/src/main.js'))) return;
  log('dist/ missing: npm run build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
}

/** Installing software is the operator's call (and may need sudo): say how, rather than do it. */
function ensureWrk() {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  throw new Error('wrk is not installed. Install it, then run again: sudo apt-get install wrk (Debian, Ubuntu), brew install wrk (macOS)');
}

/* ---------- processes and /proc ---------- */

function start(name, command, args, env) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let tail = '';
  const keep = (chunk) => {
    tail = (tail + chunk).slice(-4000);
  };
  // Drained, as a log shipper would: the app pays for writing its logs, not for a full pipe.
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', () => children.delete(child));
  child.tail = () => tail;
  child.label = name;
  return child;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  if ((await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)])) === false) child.kill('SIGKILL');
  await exited;
}

/** utime + stime of a process, in milliseconds; 0 once it is gone. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return 0;
  }
}

/** Resident and peak resident set size of a process, in MiB. */
function rss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

/* ---------- database ---------- */

async function withAdmin(fn) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The PostgreSQL backends serving the bench database, and their CPU time so far. */
async function backendCpu(database) {
  if (!database) return new Map();
  const pids = await withAdmin(async (c) => (await c.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database])).rows);
  return new Map(pids.map(({ pid }) => [pid, cpuMs(pid)]));
}

function backendDelta(before, after) {
  let total = 0;
  // A backend that started during the phase counts whole; one that ended during it is lost.
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/* ---------- HTTP helpers ---------- */

async function waitReady(child, port, timeoutMs = 60_000) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`${child.label} exited during start-up:\n${child.tail()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      await res.arrayBuffer();
      if (res.ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  throw new Error(`${child.label} not ready after ${timeoutMs} ms:\n${child.tail()}`);
}

async function call(port, method, path, { json, form, token } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let body;
  if (json) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/** Users registered and logged in through the API, each with `todosPerUser` todos. */
async function seed(port) {
  const password = 'violet-kettle-harbour-bench';
  const emails = Array.from({ length: userCount }, (_, i) => `bench-${i + 1}@example.com`);
  await inBatches(emails, hashConcurrency * 2, (email) => call(port, 'POST', '/auth/register', { json: { email, password } }));
  const tokens = await inBatches(
    emails,
    hashConcurrency * 2,
    async (email) =>
      (await call(port, 'POST', '/auth/login', { form: { grant_type: 'password', username: email, password } })).access_token,
  );
  const todoIds = await inBatches(tokens, 10, async (token) => {
    let first;
    for (let i = 0; i < todosPerUser; i++) {
      const todo = await call(port, 'POST', '/todos', { token, json: { title: `Seeded todo ${i + 1}`, description: 'x'.repeat(40) } });
      first ??= todo.id;
    }
    return first;
  });
  return emails.map((email, i) => `${tokens[i]} ${todoIds[i]} ${email} ${password}`).join('\n') + '\n';
}

/* ---------- wrk ---------- */

function wrk({ port, mode, seconds, conns, usersFile }) {
  const threads = Math.min(2, conns);
  const args = [
    '-t',
    String(threads),
    '-c',
    String(conns),
    '-d',
    `${seconds}s`,
    '--timeout',
    '30s',
    '-s',
    join(root, 'bench/wrk.lua'),
    `http://127.0.0.1:${port}`,
  ];
  // Through a shell that reports its reaped child's CPU time (cutime, cstime) from /proc.
  const script = 'wrk "$@"; s=$?; read -r line < /proc/$$/stat; echo "SHELL_STAT $line"; exit $s';
  const child = spawn('sh', ['-c', script, 'sh', ...args], {
    env: { ...process.env, BENCH_MODE: mode, BENCH_USERS: usersFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      children.delete(child);
      const result = /^BENCH_RESULT (.*)$/m.exec(out);
      const stat = /^SHELL_STAT (.*)$/m.exec(out);
      if (code !== 0 || !result) return reject(new Error(`wrk ${mode} failed (${code}):\n${out}`));
      const fields = stat ? stat[1].slice(stat[1].lastIndexOf(')') + 2).split(' ') : [];
      const wrkCpuMs = stat ? ((Number(fields[13]) + Number(fields[14])) * 1000) / clockTicks : 0;
      const r = JSON.parse(result[1]);
      const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
      resolve({
        requests: r.requests,
        rps: r.requests / (r.duration_us / 1e6),
        p50Ms: r.p50_us / 1000,
        p90Ms: r.p90_us / 1000,
        p99Ms: r.p99_us / 1000,
        maxMs: r.max_us / 1000,
        errors,
        errorDetail: r.errors,
        wrkCpuMs,
      });
    });
  });
}

/**
 * Waits until the server has finished what earlier connections left queued (a closed wrk
 * connection does not cancel a login waiting for the hash pool), so a phase pays only for itself.
 */
async function settle(server) {
  const deadline = performance.now() + 60_000;
  let last = cpuMs(server.pid);
  while (performance.now() < deadline) {
    await sleep(250);
    const now = cpuMs(server.pid);
    if (now - last < 25) return;
    last = now;
  }
}

/** One bounded wrk phase against one server, with the CPU it cost the server, PostgreSQL and wrk. */
async function phase({ server, port, mode, conns = connections, usersFile, database }) {
  if (warmup > 0) await wrk({ port, mode, seconds: warmup, conns, usersFile });
  await settle(server);
  const serverBefore = cpuMs(server.pid);
  const pgBefore = await backendCpu(database);
  const result = await wrk({ port, mode, seconds: duration, conns, usersFile });
  const serverMs = cpuMs(server.pid) - serverBefore;
  const pgMs = backendDelta(pgBefore, await backendCpu(database));
  const n = Math.max(result.requests, 1);
  if (result.errors > 0) log(`${server.label} ${mode}: ${result.errors} errors ${JSON.stringify(result.errorDetail)}`);
  return {
    ...result,
    cpuMsPerRequest: { server: serverMs / n, postgres: pgMs / n, wrk: result.wrkCpuMs / n, total: (serverMs + pgMs + result.wrkCpuMs) / n },
  };
}

function argon2Rate(seconds, env) {
  const run = spawnSync(process.execPath, [join(root, 'bench/argon2-rate.mjs'), String(seconds), String(hashesHandedOut)], {
    cwd: root,
    env: { ...process.env, UV_THREADPOOL_SIZE: String(threadPoolSize), ...env },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`argon2-rate failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

function combineRates(a, b) {
  const verifications = a.verifications + b.verifications;
  const seconds = a.seconds + b.seconds;
  const weighted = (key) => (a[key] * a.verifications + b[key] * b.verifications) / verifications;
  return {
    ...a,
    verifications,
    seconds,
    perSecond: verifications / seconds,
    cpuMsPerVerification: weighted('cpuMsPerVerification'),
    pageFaultsPerVerification: weighted('pageFaultsPerVerification'),
  };
}

/* ---------- login phases by a Node client: mfa and failstorm ---------- */

/** CPU spent so far by the server, the bench database's PostgreSQL backends, and this process (the Node client). */
async function cpuNow(server, database) {
  const { user, system } = process.cpuUsage();
  return { server: cpuMs(server.pid), postgres: await backendCpu(database), client: (user + system) / 1000 };
}

const cpuSpent = (before, after) => ({
  serverMs: after.server - before.server,
  postgresMs: backendDelta(before.postgres, after.postgres),
  clientMs: after.client - before.client,
});

const addCpu = (a, b) => ({
  serverMs: a.serverMs + b.serverMs,
  postgresMs: a.postgresMs + b.postgresMs,
  clientMs: a.clientMs + b.clientMs,
});

/** One `drive` of `attempt` at the phases' concurrency, after the server settled: the run, and the CPU spent by its deadline. */
async function measuredDrive(server, database, seconds, attempt, { settled = false, before } = {}) {
  if (!settled) await settle(server);
  const start = await cpuNow(server, database);
  const run = await drive({ connections, seconds, attempt, before, atDeadline: () => cpuNow(server, database) });
  return { run, cpu: cpuSpent(start, run.atDeadline) };
}

/** Password grants of the seeded users (MFA off) taken in turn, with `password` or a wrong one; each answers its status. */
function passwordLogins(users, { wrong = false } = {}) {
  let next = 0;
  return async () => {
    const user = users[next++ % users.length];
    return (await passwordGrant(appPort, user.email, wrong ? `${user.password}-wrong` : user.password)).status;
  };
}

/**
 * The `mfa` phase: whole logins of users with MFA on (the password grant's 403 `mfa_required`,
 * then `POST /auth/mfa/verify` with a fresh code), against password-only logins of users with MFA
 * off, both by the Node client, in the order password (half the duration), MFA, password (the
 * other half), since whichever runs second tends to be faster on a busy machine. The first half's
 * rate sizes the MFA users (enrolled through the API in between) so that none logs in twice in
 * one 30-second step. The baseline has no second factor: no ratio to it.
 */
async function mfaPhase({ app, database, plainUsers }) {
  const plainLogin = passwordLogins(plainUsers);
  if (warmup > 0) await drive({ connections, seconds: warmup, attempt: plainLogin });
  const plainA = await measuredDrive(app, database, duration / 2, plainLogin);
  // Warm-up, settling and the run, at the password-only rate (an upper bound for MFA logins).
  const size = poolSizeFor(plainA.run.requests / plainA.run.seconds, warmup + duration + 2, connections);
  log(`mfa: enrolling ${size} users (register, log in, set up, confirm)`);
  const enrolStarted = performance.now();
  const emails = Array.from({ length: size }, (_, i) => `bench-mfa-${i + 1}@example.com`);
  const pool = new TotpUserPool(await enrol(appPort, emails, plainUsers[0].password, connections));
  const enrolSeconds = (performance.now() - enrolStarted) / 1000;
  log(`mfa: enrolled in ${f1(enrolSeconds)} s; MFA logins`);
  // A user is taken from the pool before the clock starts: a wait for a free one is not a login's time.
  const mfaAttempt = { attempt: (user) => mfaLogin(appPort, pool, user), before: () => pool.take() };
  await settle(app);
  if (warmup > 0) await drive({ connections, seconds: warmup, ...mfaAttempt });
  const withMfa = await measuredDrive(app, database, duration, mfaAttempt.attempt, { before: mfaAttempt.before });
  const plainB = await measuredDrive(app, database, duration / 2, plainLogin);
  const plain = summariseRun(combine(plainA.run, plainB.run), addCpu(plainA.cpu, plainB.cpu), ['200']);
  const mfa = summariseRun(withMfa.run, withMfa.cpu, ['200']);
  return { plain, mfa, ratio: mfa.rps / plain.rps, users: size, enrolSeconds, waitsForAFreeUser: pool.starved };
}

/** audit_events rows by type, in the bench database. */
async function auditCounts(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT type, count(*)::int AS n FROM audit_events GROUP BY type');
    return Object.fromEntries(rows.map((r) => [r.type, r.n]));
  } finally {
    await client.end();
  }
}

/** The rows written between two counts, by type, against the attempts the client made (every one answered). */
function auditWritten(before, after, outcomes) {
  const byType = {};
  for (const type of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const n = (after[type] ?? 0) - (before[type] ?? 0);
    if (n !== 0) byType[type] = n;
  }
  const rows = Object.values(byType).reduce((a, b) => a + b, 0);
  const attempts = Object.entries(outcomes)
    .filter(([k]) => k !== 'firstError')
    .reduce((n, [, v]) => n + v, 0);
  return { attempts, rows, byType, equal: rows === attempts };
}

/**
 * The `failstorm` phase, on PostgreSQL: wrong-password logins of the seeded users at the phases'
 * concurrency by the Node client, each answered 401 and written to `audit_events` by an insert
 * of its own (the bench raises `RATE_LIMIT_LOGIN_FAILURES` so far that none is throttled). First
 * alone, for attempts/s and CPU per attempt; then with `GET /todos` read by a few connections
 * (wrk) meanwhile, as the `storm` phase does, and the same reads during right-password logins by
 * the same client, for comparison in the same conditions. The audit rows are counted before and after each
 * part (every attempt answered by then), and the backends sampled for lock waits throughout.
 */
async function failstormPhase({ app, database, databaseUrl, plainUsers, usersFile, quiet }) {
  const wrongLogin = passwordLogins(plainUsers, { wrong: true });
  const expected = ['401', '429'];
  if (warmup > 0) await drive({ connections, seconds: warmup, attempt: wrongLogin });
  if (!quiet) {
    await settle(app);
    quiet = await wrk({ port: appPort, mode: 'todos', seconds: duration, conns: probeConnections, usersFile });
  }
  await settle(app);
  const rows0 = await auditCounts(databaseUrl);
  const samplerA = await sampleWaits(adminUrl, database);
  const alone = await measuredDrive(app, database, duration, wrongLogin);
  const locksA = await samplerA.stop();
  const rows1 = await auditCounts(databaseUrl);

  // GET /todos by a few wrk connections while `attempt` runs, starting a moment after it.
  const readDuring = async (attempt) => {
    await settle(app);
    return Promise.all([
      measuredDrive(app, database, duration, attempt, { settled: true }),
      sleep(Math.min(500, duration * 100)).then(() =>
        wrk({ port: appPort, mode: 'todos', seconds: Math.max(1, duration - 1), conns: probeConnections, usersFile }),
      ),
    ]);
  };
  log('failstorm: the same with GET /todos read meanwhile');
  const samplerB = await sampleWaits(adminUrl, database);
  const [probed, todos] = await readDuring(wrongLogin);
  const locksB = await samplerB.stop();
  const rows2 = await auditCounts(databaseUrl);
  // The same reads during right-password logins by the same client, in the same conditions: what
  // the failures cost the reads beyond what any login storm costs them.
  log('failstorm: GET /todos read during right-password logins, for comparison');
  const [rightLogins, todosDuringRightLogins] = await readDuring(passwordLogins(plainUsers));
  return {
    rightLogins: summariseRun(rightLogins.run, rightLogins.cpu, ['200']),
    todosDuringRightLogins,
    attempts: summariseRun(alone.run, alone.cpu, expected),
    withProbes: summariseRun(probed.run, probed.cpu, expected),
    audit: { alone: auditWritten(rows0, rows1, alone.run.outcomes), withProbes: auditWritten(rows1, rows2, probed.run.outcomes) },
    locks: { alone: locksA, withProbes: locksB, both: addWaits(locksA, locksB) },
    todos,
    quiet,
  };
}

/* ---------- report ---------- */

const f0 = (n) => (n === undefined ? '—' : n.toFixed(0));
const f1 = (n) => (n === undefined ? '—' : n.toFixed(1));
const f2 = (n) => (n === undefined ? '—' : n.toFixed(2));
const pct = (n) => (n === undefined ? '—' : `${(n * 100).toFixed(0)} %`);

function mfaLines({ plain, mfa, ratio, users, enrolSeconds, waitsForAFreeUser }) {
  return [
    `mfa: ${f1(mfa.rps)} whole logins/s with MFA on (password grant, then /auth/mfa/verify with a fresh TOTP code) vs ${f1(plain.rps)}/s with MFA off, by the same Node client in this run (password, MFA, password) = ${pct(ratio)}; p50 ${f0(mfa.p50Ms)} vs ${f0(plain.p50Ms)} ms, p99 ${f0(mfa.p99Ms)} vs ${f0(plain.p99Ms)} ms`,
    `CPU per login: ${f1(mfa.cpuMsPerRequest.total)} ms with MFA vs ${f1(plain.cpuMsPerRequest.total)} ms without (server ${f1(mfa.cpuMsPerRequest.server)} vs ${f1(plain.cpuMsPerRequest.server)}, PostgreSQL ${f2(mfa.cpuMsPerRequest.postgres)} vs ${f2(plain.cpuMsPerRequest.postgres)}, client ${f2(mfa.cpuMsPerRequest.client)} vs ${f2(plain.cpuMsPerRequest.client)}). No baseline ratio: the baseline server has no second factor`,
    `${users} users with MFA on, enrolled through the API in ${f1(enrolSeconds)} s, none logging in twice within one 30 s step (waits for a free user: ${waitsForAFreeUser})`,
  ];
}

function failstormLines({ attempts, withProbes, audit, locks, todos, quiet, rightLogins, todosDuringRightLogins: right }, config) {
  const { both } = locks;
  const waits = Object.entries(both.waits)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const rows = (a) => `${a.rows} rows for ${a.attempts} attempts${a.equal ? '' : ' MISMATCH'} (${JSON.stringify(a.byType)})`;
  const outcome = (r) => `${r.outcomes['401'] ?? 0} answered 401, ${r.outcomes['429'] ?? 0} throttled (429)`;
  return [
    `failstorm: ${f1(attempts.rps)} wrong-password logins/s, ${config.connections} at once (${outcome(attempts)}); CPU per attempt ${f2(attempts.cpuMsPerRequest.total)} ms (server ${f2(attempts.cpuMsPerRequest.server)}, PostgreSQL ${f2(attempts.cpuMsPerRequest.postgres)}, client ${f2(attempts.cpuMsPerRequest.client)})`,
    `audit_events written: alone ${rows(audit.alone)}; with the reads ${rows(audit.withProbes)}`,
    `lock waits: ${both.ungrantedLocks} lock requests seen not granted in ${both.samples} samples of pg_locks (every 100 ms, both parts${both.ungrantedLocks ? `: ${JSON.stringify(both.ungranted)}` : ''}); active backends seen waiting, of ${both.activeBackendsSeen} seen: ${waits || 'none'}`,
    `GET /todos under the failed-login storm (${config.probeConnections} connections): p50 ${f1(todos.p50Ms)} ms, p99 ${f1(todos.p99Ms)} ms, ${f0(todos.rps)} req/s (quiet: p99 ${f1(quiet.p99Ms)} ms); wrong-password logins meanwhile ${f1(withProbes.rps)}/s (${outcome(withProbes)})`,
    `the same reads during right-password logins by the same client: p50 ${f1(right.p50Ms)} ms, p99 ${f1(right.p99Ms)} ms, ${f0(right.rps)} req/s; logins meanwhile ${f1(rightLogins.rps)}/s`,
  ];
}

function table(results) {
  const rows = [
    ['phase', 'app req/s', 'p50 ms', 'p99 ms', 'base req/s', 'p50 ms', 'p99 ms', 'app/base', 'app CPU ms/req', 'base CPU ms/req'],
  ];
  for (const p of results.phases) {
    const { app, baseline: b } = p;
    const cpu = (r) =>
      r
        ? `${f2(r.cpuMsPerRequest.total)} (${f2(r.cpuMsPerRequest.server)}+${f2(r.cpuMsPerRequest.postgres)}+${f2(r.cpuMsPerRequest.wrk ?? r.cpuMsPerRequest.client)})`
        : '—';
    rows.push([p.name, f0(app.rps), f1(app.p50Ms), f1(app.p99Ms), f0(b?.rps), f1(b?.p50Ms), f1(b?.p99Ms), pct(p.ratio), cpu(app), cpu(b)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const out = [line(rows[0]), `|${widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|')}|`];
  for (const r of rows.slice(1)) out.push(line(r));
  const m = results.memory;
  const s = results.storm;
  const rounds = results.phases.filter((p) => p.ratios);
  const lines = [
    ...rounds.map(
      (p) =>
        `${p.name}: app/base over ${p.ratios.length} interleaved rounds ${p.ratios.map(pct).join(', ')} (the median round is shown)` +
        (p.cpuRatios ? `; base/app server CPU per request ${p.cpuRatios.map(pct).join(', ')}` : ''),
    ),
    `CPU ms/req = server + PostgreSQL backends + wrk (the Node client on the rows marked so), from /proc; ${results.config.connections} connections, ${results.config.duration} s per phase, ${results.config.hashConcurrency} hashes at once (${results.config.hashesHandedOut} handed to libuv's ${results.config.threadPoolSize} threads).`,
  ];
  if (results.login) {
    const { login, argon2, argon2WithGlibcTunables: tuned } = results;
    lines.push(
      `login: ${f1(login.rps)} logins/s vs raw argon2 verify ${f1(argon2.perSecond)}/s at the same parameters and concurrency = ${pct(login.ratio)}`,
      ...(login.baseline
        ? [
            `the bare baseline's login (same hash cap, one statement for the session): ${f1(login.baseline.rps)}/s = ${pct(login.baseline.ratio)} of raw argon2`,
          ]
        : []),
      `CPU per login: ${f1(login.serverCpuMs)} ms in the server${login.baseline ? `, ${f1(login.baseline.serverCpuMs)} ms in the baseline,` : ''} vs ${f1(argon2.cpuMsPerVerification)} ms per raw verification (steadier than the rates on a busy machine)`,
      `raw argon2 with GLIBC_TUNABLES (mmap_threshold 32 MiB, trim_threshold 128 MiB): ${f1(tuned.perSecond)}/s (${f0(tuned.pageFaultsPerVerification)} page faults per verification, vs ${f0(argon2.pageFaultsPerVerification)} without)`,
    );
  }
  if (s) {
    lines.push(
      `GET /todos under a login storm (${probeConnections} connections; ${results.config.connections} logging in): p50 ${f1(s.todos.p50Ms)} ms, p99 ${f1(s.todos.p99Ms)} ms, ${f0(s.todos.rps)} req/s (quiet: p99 ${f1(s.quiet.p99Ms)} ms); logins meanwhile ${f1(s.login.rps)}/s`,
    );
  }
  if (results.mfa) lines.push(...mfaLines(results.mfa));
  if (results.failstorm) lines.push(...failstormLines(results.failstorm, results.config));
  lines.push(
    `RSS: idle ${f0(m.idleMiB)} MiB, peak under load ${f0(m.peakMiB)} MiB, after load ${f0(m.afterLoadMiB)} MiB; ready ${f0(results.startup.readyMs)} ms after spawn (${results.config.database})`,
  );
  out.push('', ...lines);
  return out.join('\n');
}

/* ---------- main ---------- */

async function main() {
  ensureBuilt();
  if (selected.size > 0) await loadPhases();
  if (scaleSelected) await scale();
}

/** The request phases: the app and the baseline under wrk, on users seeded through the API. */
async function loadPhases() {
  ensureWrk();
  const work = mkdtempSync(join(tmpdir(), 'bench-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const database = flags.embedded ? undefined : `bench_${process.pid}`;
  const databaseUrl = database && `postgresql://postgres@127.0.0.1:5432/${database}`;
  if (database) {
    await withAdmin((c) => c.query(`CREATE DATABASE "${database}"`));
    cleanups.push(() => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)));
  }
  const jwtSecret = randomBytes(48).toString('base64url');
  const appEnv = {
    NODE_ENV: 'production',
    PORT: String(appPort),
    HOST: '127.0.0.1',
    JWT_SECRET: jwtSecret,
    MFA_ENCRYPTION_KEY: randomBytes(48).toString('base64url'),
    DATA_DIR: join(work, 'data'),
    ...LIMITS_OFF,
    // The login phases sign the seeded users in hundreds of times; at the default cap, those
    // logins would end the sessions whose tokens the readers hold (the least recently used).
    SESSIONS_PER_USER_MAX: '10000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  delete process.env.DATABASE_URL;
  delete process.env.REDIS_URL;
  if (!databaseUrl) appEnv.NODE_ENV = 'development'; // production requires PostgreSQL
  appEnv.UV_THREADPOOL_SIZE = String(threadPoolSize);
  const profileDir = join(work, 'profile');
  if (flags.profile) appEnv.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`.trim();
  const { loadEnv } = await import('../dist/src/config/env.js');
  const { hashesInFlight } = await import('../dist/src/passwords/password-hasher.service.js');
  const configured = loadEnv({ ...process.env, ...appEnv });
  hashConcurrency = configured.passwords.hashConcurrency;
  hashesHandedOut = hashesInFlight(hashConcurrency, configured.passwords.threadPoolSize);

  log(`app on ${database ?? 'the embedded database'}, port ${appPort}`);
  // Started by the `npm run start:prod` script itself, without npm in between (it execs node, so
  // the shell's pid becomes the server's).
  const startScript = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts['start:prod'];
  const app = start('app', 'sh', ['-c', startScript], appEnv);
  const readyMs = await waitReady(app, appPort);
  await sleep(1_000);
  const idle = rss(app.pid);

  log(`seeding ${userCount} users × ${todosPerUser} todos`);
  const usersFile = join(work, 'users.txt');
  writeFileSync(usersFile, await seed(appPort));

  let baseline;
  if (database) {
    baseline = start('baseline', process.execPath, ['bench/baseline/server.mjs'], {
      PORT: String(baselinePort),
      DATABASE_URL: databaseUrl,
      JWT_SECRET: jwtSecret,
      HASH_CONCURRENCY: String(hashesHandedOut),
      UV_THREADPOOL_SIZE: String(threadPoolSize),
    });
    await new Promise((resolve, reject) => {
      baseline.stdout.on('data', (c) => String(c).includes('ready') && resolve());
      baseline.once('exit', () => reject(new Error(`baseline exited:\n${baseline.tail()}`)));
    });
  }

  const phases = [];
  for (const [name, mode] of [
    ['GET /users/me', 'me'],
    ['GET /todos', 'todos'],
    ['POST /todos', 'create'],
    ['PATCH /todos/{id}', 'update'],
  ].filter(([, mode]) => selected.has(mode))) {
    log(name);
    const runs = [];
    for (let round = 0; round < rounds; round++) {
      const appResult = await phase({ server: app, port: appPort, mode, usersFile, database });
      const baseResult = baseline && (await phase({ server: baseline, port: baselinePort, mode, usersFile, database }));
      runs.push({ app: appResult, baseline: baseResult, ratio: baseResult && appResult.rps / baseResult.rps });
    }
    // The round with the median ratio stands for the phase; every round's ratio is kept.
    runs.sort((a, b) => (a.ratio ?? 0) - (b.ratio ?? 0));
    // The baseline's server CPU per request over the app's, round by round: it moves less than the
    // rates when other work or CPU steal slows both servers.
    const cpuRatios = runs
      .filter((r) => r.baseline)
      .map((r) => r.baseline.cpuMsPerRequest.server / r.app.cpuMsPerRequest.server)
      .sort((a, b) => a - b);
    phases.push({
      name,
      ...runs[Math.floor((runs.length - 1) / 2)],
      ...(rounds > 1 ? { ratios: runs.map((r) => r.ratio) } : {}),
      ...(cpuRatios.length > 0 ? { cpuRatios } : {}),
    });
  }
  let login, argon2, argon2Tuned;
  if (selected.has('login')) {
    log('POST /auth/login, then the raw argon2 rate');
    const loginResult = await phase({ server: app, port: appPort, mode: 'login', usersFile, database });
    await settle(app);
    const baseLogin = baseline && (await phase({ server: baseline, port: baselinePort, mode: 'login', usersFile, database }));
    if (baseline) await stop(baseline);
    // With and without glibc keeping the freed block mapped, in the order A B A: whichever runs
    // second was otherwise consistently faster on a busy machine.
    const before = argon2Rate(duration / 2, {});
    argon2Tuned = { ...argon2Rate(duration, { GLIBC_TUNABLES: GLIBC_TUNABLES }), tunables: GLIBC_TUNABLES };
    argon2 = combineRates(before, argon2Rate(duration / 2, {}));
    phases.push({ name: 'POST /auth/login', app: loginResult, baseline: baseLogin, ratio: baseLogin && loginResult.rps / baseLogin.rps });
    login = {
      rps: loginResult.rps,
      ratio: loginResult.rps / argon2.perSecond,
      serverCpuMs: loginResult.cpuMsPerRequest.server,
      baseline: baseLogin && { rps: baseLogin.rps, ratio: baseLogin.rps / argon2.perSecond, serverCpuMs: baseLogin.cpuMsPerRequest.server },
    };
  }
  if (baseline) await stop(baseline);

  let storm;
  if (selected.has('storm')) {
    log('GET /todos alone, then under a login storm');
    await settle(app);
    const quiet = await wrk({ port: appPort, mode: 'todos', seconds: duration, conns: probeConnections, usersFile });
    await settle(app);
    const [stormLogin, stormTodos] = await Promise.all([
      wrk({ port: appPort, mode: 'login', seconds: duration, conns: connections, usersFile }),
      sleep(Math.min(500, duration * 100)).then(() =>
        wrk({ port: appPort, mode: 'todos', seconds: Math.max(1, duration - 1), conns: probeConnections, usersFile }),
      ),
    ]);
    storm = { todos: stormTodos, login: stormLogin, quiet };
  }
  // The seeded users, MFA off, for the phases driven by the Node client.
  const plainUsers = readFileSync(usersFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [, , email, password] = line.split(' ');
      return { email, password };
    });
  let mfa;
  if (selected.has('mfa')) {
    log('POST /auth/login with MFA off, then with MFA on (and /auth/mfa/verify), by a Node client');
    await settle(app);
    mfa = await mfaPhase({ app, database, plainUsers });
    phases.push(
      { name: 'POST /auth/login, MFA off (Node client)', app: mfa.plain },
      { name: 'POST /auth/login + /auth/mfa/verify (Node client)', app: mfa.mfa },
    );
  }
  let failstorm;
  if (selected.has('failstorm') && !database) log('failstorm: skipped, it counts audit rows and samples locks in PostgreSQL');
  else if (selected.has('failstorm')) {
    log('POST /auth/login with wrong passwords, by a Node client');
    await settle(app);
    failstorm = await failstormPhase({ app, database, databaseUrl, plainUsers, usersFile, quiet: storm?.quiet });
    phases.push({ name: 'POST /auth/login, wrong password (Node client)', app: failstorm.attempts });
  }
  for (const r of [mfa?.plain, mfa?.mfa, failstorm?.attempts, failstorm?.withProbes, failstorm?.rightLogins].filter((r) => r?.errors > 0))
    log(`Node client: ${r.errors} unexpected answers ${JSON.stringify(r.outcomes)}${r.firstError ? `; first error: ${r.firstError}` : ''}`);
  const loaded = rss(app.pid);
  await sleep(smoke ? 200 : 2_000);
  const afterLoad = rss(app.pid);
  await stop(app);
  let profile;
  if (flags.profile) {
    const [file] = existsSync(profileDir) ? readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')) : [];
    if (file) {
      profile = join(root, 'bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.cpuprofile`);
      mkdirSync(dirname(profile), { recursive: true });
      copyFileSync(join(profileDir, file), profile);
    } else log('--profile: the app wrote no profile (did it exit cleanly?)');
  }

  const results = {
    date: new Date().toISOString(),
    config: {
      duration,
      warmup,
      rounds,
      connections,
      probeConnections,
      users: userCount,
      todosPerUser,
      hashConcurrency,
      threadPoolSize,
      hashesHandedOut,
      database: database ? 'postgresql' : 'embedded',
      smoke,
      phases: [...selected],
      node: process.version,
      cpus: availableParallelism(),
    },
    phases,
    login,
    argon2,
    argon2WithGlibcTunables: argon2Tuned,
    storm,
    mfa,
    failstorm,
    memory: { idleMiB: idle.rssMiB, peakMiB: loaded.peakMiB, afterLoadMiB: afterLoad.rssMiB },
    startup: { readyMs },
  };
  // A set: the failstorm's quiet reads are the storm's when both ran.
  const failures = [
    ...new Set([
      ...phases.flatMap((p) => [p.app, p.baseline]),
      storm?.todos,
      storm?.login,
      storm?.quiet,
      failstorm?.withProbes,
      failstorm?.todos,
      failstorm?.rightLogins,
      failstorm?.todosDuringRightLogins,
      failstorm?.quiet,
    ]),
  ]
    .filter(Boolean)
    .reduce((n, r) => n + r.errors, 0);
  results.errors = failures;
  console.log(table(results));
  if (profile)
    console.log(
      `\nCPU profile of the app over the whole run (start-up and seeding included): ${profile}\n${summarise(JSON.parse(readFileSync(profile, 'utf8')))}`,
    );
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(
    root,
    'bench/results',
    `${results.date.slice(0, 19).replace(/:/g, '-')}-${results.config.database}${smoke ? '-smoke' : ''}${DEFAULT_PHASES.some((p) => !selected.has(p)) ? '-partial' : ''}.json`,
  );
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  log(`wrote ${file}`);
  if (failures > 0) throw new Error(`${failures} requests failed (non-2xx, timeouts or socket errors); see above`);
  if (failstorm && !(failstorm.audit.alone.equal && failstorm.audit.withProbes.equal))
    throw new Error('failstorm: audit_events rows written differ from the attempts made; see above');
}

/* ---------- scale: every list shape on a small data set, then on a big one ---------- */

const SCALE = {
  // The big data set, loaded with SQL: users in all, todos in all, the heavy user's share of each.
  users: 1_000_000,
  todos: 3_000_000,
  heavyTodos: 200_000,
  heavySessions: 1_000_000,
  // The small data set, made through the API: user1 (the heavy user to be) with 20 todos, user2 an
  // admin, user3 deactivated, the rest plain accounts.
  smallUsers: 12,
  smallTodos: 20,
  // Sequential requests per shape, after a warm-up; the median stands for the shape.
  samples: 15,
  warmup: 3,
  // The deep page by cursor: the 1,500th page of 10 on the big data set (the last one on the small).
  cursorPage: 1_500,
  cursorLimit: 10,
  // Past this growth (big p50 / small p50) a shape's plan is printed.
  target: 2,
};
// Search terms: in every title, in one title in a hundred, in one in twenty thousand (scaleTitle).
const TERMS = { common: 'task', medium: 'invoice', rare: 'quokka' };
const TITLE_WORDS = [
  'water the plants',
  'buy groceries',
  'call the bank',
  'review notes',
  'clean the desk',
  'book tickets',
  'write the report',
];

/** The n-th todo's title, as the loader's SQL (`scaleTitleSql`) writes it too. */
function scaleTitle(n) {
  const what =
    n % 20_000 === 13 ? `feed the ${TERMS.rare}` : n % 100 === 7 ? `pay the ${TERMS.medium}` : TITLE_WORDS[n % TITLE_WORDS.length];
  return `Task ${n}: ${what}`;
}

/** `scaleTitle` in SQL, over `n`; the words are the statement's parameter `$words`. */
function scaleTitleSql(n, words) {
  return `'Task ' || ${n} || ': ' || CASE WHEN ${n} % 20000 = 13 THEN 'feed the ${TERMS.rare}' WHEN ${n} % 100 = 7 THEN 'pay the ${TERMS.medium}'
    ELSE (${words}::text[])[${n} % ${TITLE_WORDS.length} + 1] END`;
}

/** A list shape: its label (the request, and `note`), who asks (the heavy user or the admin), its path, and how deep a page to walk to by cursor. */
const listShape = (who, path, note = '', pages = undefined) => [`GET ${path}${note}`, who, path, pages];
const SCALE_SHAPES = [
  listShape('heavy', '/todos', ' (first page)'),
  ...['created_at', '-created_at', 'title', '-title'].map((sort) => listShape('heavy', `/todos?sort=${sort}`)),
  listShape('heavy', '/todos?completed=true'),
  listShape('heavy', '/todos?completed=false'),
  listShape('heavy', `/todos?q=${TERMS.rare}`, ' (rare)'),
  listShape('heavy', `/todos?q=${TERMS.medium}`, ' (1 %)'),
  listShape('heavy', `/todos?q=${TERMS.common}`, ' (every title)'),
  listShape('heavy', '/todos?offset=1000'),
  listShape('heavy', `/todos?limit=${SCALE.cursorLimit}`, ', deep page by cursor', SCALE.cursorPage),
  listShape('heavy', '/auth/sessions'),
  listShape('heavy', '/users/me'),
  listShape('admin', '/admin/users', ' (first page)'),
  ...['q=user4242', 'role=admin', 'is_active=false'].map((filter) => listShape('admin', `/admin/users?${filter}`)),
  listShape('admin', `/admin/users?limit=${SCALE.cursorLimit}`, ', deep page by cursor', SCALE.cursorPage),
];

/** One GET, timed from the request to the last byte of the answer; anything but a 200 is an error. */
async function timedGet(port, path, token) {
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${Buffer.from(body).toString()}`);
  return { ms, bytes: body.byteLength, next: res.headers.get('x-next-cursor') ?? undefined, headers: res.headers };
}

/**
 * Follows `X-Next-Cursor` from `path`'s first page up to page `pages` (or the last page there is),
 * and returns that page's path: the cursor is minted by walking once; only its request is timed.
 */
async function walkCursor(port, path, token, pages) {
  let current = path;
  let page = 1;
  for (; page < pages; page++) {
    const { next } = await timedGet(port, current, token);
    if (next === undefined) break;
    current = `${path}&cursor=${encodeURIComponent(next)}`;
  }
  return { path: current, page };
}

/**
 * Every shape on every data set, measured in rounds: one request of each shape on each data set
 * per round, all sequential, the data sets' order alternating from round to round; `SCALE.warmup`
 * rounds, then `SCALE.samples` timed ones, whose median stands for each shape. Interleaved, so a
 * burst of other work on a shared machine lands on the small and the big data set alike rather
 * than on whichever was measured at the time. A deep page's cursor is minted first by walking the
 * list once, page by page; only that page's request is timed.
 */
async function measureShapes(targets) {
  const shapes = [];
  for (const [name, who, path, pages] of SCALE_SHAPES)
    for (const target of targets) {
      const walked = pages ? await walkCursor(target.port, path, target.tokens[who], pages) : { path, page: 1 };
      if (pages) log(`${target.label}: ${name}: page ${walked.page} reached by cursor`);
      shapes.push({ name, target, token: target.tokens[who], who, ...walked, times: [] });
    }
  for (let round = 0; round < SCALE.warmup + SCALE.samples; round++)
    for (const shape of round % 2 === 0 ? shapes : shapes.toReversed()) {
      shape.last = await timedGet(shape.target.port, shape.path, shape.token);
      if (round >= SCALE.warmup) shape.times.push(shape.last.ms);
    }
  const out = Object.fromEntries(targets.map((t) => [t.label, {}]));
  for (const { name, target, who, path, page, times, last } of shapes) {
    times.sort((x, y) => x - y);
    const exceeds = last.headers.get('x-total-count-exceeds');
    const total = last.headers.get('x-total-count') ?? (exceeds === null ? undefined : `>${exceeds}`);
    out[target.label][name] = {
      p50Ms: times[Math.floor(times.length / 2)],
      minMs: times[0],
      maxMs: times.at(-1),
      bytes: last.bytes,
      total,
      page,
      path,
      who,
    };
  }
  return out;
}

async function login(port, email, password) {
  return (await call(port, 'POST', '/auth/login', { form: { grant_type: 'password', username: email, password } })).access_token;
}

/** The small data set, through the API: user1 with 20 todos (every third done), user2 an admin, user3 deactivated. */
async function seedSmall(port, db) {
  const password = 'violet-kettle-harbour-bench';
  const emails = Array.from({ length: SCALE.smallUsers }, (_, i) => `user${i + 1}@example.com`);
  for (const email of emails) await call(port, 'POST', '/auth/register', { json: { email, password } });
  await db.query(`UPDATE users SET role = 'admin' WHERE email = $1`, [emails[1]]);
  await db.query(`UPDATE users SET is_active = false WHERE email = $1`, [emails[2]]);
  const heavy = await login(port, emails[0], password);
  for (let n = 1; n <= SCALE.smallTodos; n++) {
    const todo = await call(port, 'POST', '/todos', { token: heavy, json: { title: scaleTitle(n), description: 'x'.repeat(40) } });
    if (n % 3 === 0) await call(port, 'PATCH', `/todos/${todo.id}`, { token: heavy, json: { completed: true } });
  }
  await db.query('VACUUM (ANALYZE) users, todos, sessions');
  const [{ id: heavyId }] = (await db.query('SELECT id FROM users WHERE email = $1', [emails[0]])).rows;
  return { heavyId, heavyEmail: emails[0], adminEmail: emails[1], password };
}

/** Runs `sql` on `db`, logging how long it took; returns the seconds. */
async function timedSql(db, label, sql, values) {
  const started = performance.now();
  const result = await db.query(sql, values);
  const seconds = (performance.now() - started) / 1000;
  log(`load: ${label}: ${result.rowCount ?? 0} rows in ${f1(seconds)} s`);
  return seconds;
}

/**
 * The big data set, by SQL straight into the migrated schema with every index, constraint and
 * trigger in place: users up to `SCALE.users` (one in a thousand an admin, one in a hundred
 * deactivated), the heavy user's todos up to `SCALE.heavyTodos` and `SCALE.heavySessions` sessions
 * (49 live, as `SESSIONS_PER_USER_MAX` leaves them with the bench's own, the rest ended in the last
 * 12 hours, which the hourly purge keeps a day), the other todos spread over the other users; then
 * VACUUM (ANALYZE), as autovacuum would in time, so it does not start during the measurements. On
 * two connections: users then the others' todos (they need their owners) on one, the heavy
 * user's rows on the other. Each connection turns off `synchronous_commit` for itself (a crash
 * could lose its last commits, never corrupt the database) and raises its sort memory.
 */
async function loadBig(databaseUrl, heavyId) {
  const connect = async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`SET synchronous_commit = off; SET maintenance_work_mem = '256MB'; SET work_mem = '64MB'`);
    return client;
  };
  const [a, b] = [await connect(), await connect()];
  const started = performance.now();
  const steps = {};
  try {
    const [existing] = (
      await a.query(
        `SELECT (SELECT hashed_password FROM users WHERE id = $1) AS hash, (SELECT count(*)::int FROM users) AS users,
                (SELECT count(*)::int FROM todos) AS todos, (SELECT max(id) FROM users) AS last_id`,
        [heavyId],
      )
    ).rows;
    const users = timedSql(
      a,
      `${SCALE.users - existing.users} users`,
      `INSERT INTO users (email, hashed_password, role, is_active, email_verified, created_at, updated_at)
       SELECT 'user' || g || '@example.com', $1, (CASE WHEN g % 1000 = 0 THEN 'admin' ELSE 'user' END)::user_role, g % 100 <> 50, true,
              now() - make_interval(secs => $3 - g), now() - make_interval(secs => $3 - g)
         FROM generate_series($2::int, $3::int) g`,
      [existing.hash, existing.users + 1, SCALE.users],
    );
    // The other users' todos, 2.8 each in order of owner, in two halves: one per connection.
    const count = SCALE.todos - SCALE.heavyTodos - (existing.todos - SCALE.smallTodos);
    const othersTodos = (client, from, to) =>
      timedSql(
        client,
        `todos ${from}-${to} of the other users`,
        `INSERT INTO todos (title, description, completed, owner_id, created_at, updated_at)
         SELECT ${scaleTitleSql('g', '$1')}, repeat('x', 40), g % 3 = 0, b.lo + ((g - 1)::bigint * b.span / $2)::int,
                now() - make_interval(mins => g % 525600), now() - make_interval(mins => g % 525600)
           FROM (SELECT min(id) AS lo, max(id) - min(id) + 1 AS span FROM users WHERE id > $3) b, generate_series($4::int, $5::int) g`,
        [TITLE_WORDS, count, existing.last_id, from, to],
      );
    const half = Math.floor(count / 2);
    const first = async () => {
      steps.users = await users;
      steps.todosFirstHalf = await othersTodos(a, 1, half);
    };
    const second = async () => {
      steps.heavyTodos = await timedSql(
        b,
        `${SCALE.heavyTodos - SCALE.smallTodos} todos of the heavy user`,
        `INSERT INTO todos (title, description, completed, owner_id, created_at, updated_at)
         SELECT ${scaleTitleSql('g', '$1')}, repeat('x', 40), g % 3 = 0, $2, now() - make_interval(mins => $4 + 1 - g), now() - make_interval(mins => $4 + 1 - g)
           FROM generate_series($3::int, $4::int) g`,
        [TITLE_WORDS, heavyId, SCALE.smallTodos + 1, SCALE.heavyTodos],
      );
      steps.sessions = await timedSql(
        b,
        `${SCALE.heavySessions} sessions of the heavy user`,
        `INSERT INTO sessions (user_id, created_at, last_used_at, expires_at, user_agent, ip, revoked_at, revoked_reason)
         SELECT $1, now() - interval '20 days', now() - interval '20 days' + make_interval(secs => g), now() + interval '10 days',
                'bench/1.0', '127.0.0.1', CASE WHEN g > 49 THEN now() - make_interval(secs => g % 43200) END, CASE WHEN g > 49 THEN 'session_limit' END
           FROM generate_series(1, $2::int) g`,
        [heavyId, SCALE.heavySessions],
      );
      await users;
      steps.todosSecondHalf = await othersTodos(b, half + 1, count);
    };
    await Promise.all([first(), second()]);
    // The per-user counts the app keeps as it inserts, worked out once for the rows loaded by SQL.
    steps.todoCounts = await timedSql(
      a,
      'todo_counts from the todos',
      `INSERT INTO todo_counts (user_id, count) SELECT owner_id, count(*) FROM todos GROUP BY owner_id
       ON CONFLICT (user_id) DO UPDATE SET count = EXCLUDED.count`,
    );
    const vacuumStarted = performance.now();
    await Promise.all([
      a.query('VACUUM (ANALYZE) todo_counts').then(() => a.query('VACUUM (ANALYZE) todos')),
      b.query('VACUUM (ANALYZE) users').then(() => b.query('VACUUM (ANALYZE) sessions')),
    ]);
    steps.vacuumAnalyze = (performance.now() - vacuumStarted) / 1000;
    log(`load: VACUUM (ANALYZE) in ${f1(steps.vacuumAnalyze)} s`);
    const [counts] = (
      await a.query(
        `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM todos)::int AS todos,
                (SELECT count(*) FROM todos WHERE owner_id = $1)::int AS heavy_todos, (SELECT count(*) FROM sessions WHERE user_id = $1)::int AS heavy_sessions,
                pg_database_size(current_database()) AS bytes`,
        [heavyId],
      )
    ).rows;
    return {
      seconds: (performance.now() - started) / 1000,
      steps,
      counts: { ...counts, sizeMiB: Number(counts.bytes) / 2 ** 20, bytes: undefined },
    };
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
}

/** A shape's query string as the list's DTO (numbers and booleans as the validation pipe leaves them). */
function listDto(Dto, path) {
  const dto = new Dto();
  for (const [key, value] of new URL(path, 'http://x').searchParams)
    dto[key] = ['limit', 'offset'].includes(key) ? Number(value) : value === 'true' ? true : value === 'false' ? false : value;
  return dto;
}

/**
 * `EXPLAIN (ANALYZE, BUFFERS)` of the statements behind each shape in `slow`, built by the app's own
 * code from `dist/` with the app's configuration (so a cursor checks out): the todo list's prepared
 * statement, run six times first as the app's connections do (PostgreSQL may then switch to a
 * generic plan); the admin list's page and count queries; the session list's `find`. GET
 * /users/me has no list statement to explain.
 */
async function explainShapes(slow, { appEnv, heavyId }) {
  const saved = { ...process.env };
  Object.assign(process.env, appEnv);
  const imp = (path) => import(`../dist/src/${path}`);
  const [{ databaseConfig }, { authConfig }, { createDataSource, typeOrmOptions }, { ListCursors }, todoMods, userMods, sessionMods] =
    await Promise.all([
      imp('config/database.config.js'),
      imp('config/auth.config.js'),
      imp('database/typeorm-options.js'),
      imp('common/list-cursors.js'),
      Promise.all([imp('todos/todos.queries.js'), imp('todos/todo.entity.js'), imp('todos/dto/list-todos-query.dto.js')]),
      Promise.all([imp('users/users.service.js'), imp('users/user.entity.js'), imp('users/dto/list-users-query.dto.js')]),
      Promise.all([imp('sessions/session.entity.js'), import('typeorm')]),
    ]);
  const db = { ...databaseConfig(), migrationsRun: false };
  const dataSource = await (
    await createDataSource(db, { ...typeOrmOptions(db), entities: [join(root, 'dist/src/**/*.entity.js')] })
  ).initialize();
  const cursors = new ListCursors(authConfig());
  Object.assign(process.env, saved);
  for (const key of Object.keys(appEnv)) if (!(key in saved)) delete process.env[key];
  const plans = {};
  const client = new pg.Client({ connectionString: appEnv.DATABASE_URL });
  await client.connect();
  try {
    const explain = async (text, values) =>
      (await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values)).rows.map((r) => r['QUERY PLAN']).join('\n');
    for (const [name, shape] of slow) {
      const path = shape.path.split('?')[0];
      if (path === '/todos') {
        const [{ TodosQueries }, { Todo }, { ListTodosQueryDto }] = todoMods;
        const { text, values } = new TodosQueries(dataSource.getRepository(Todo), cursors).listStatement(
          heavyId,
          listDto(ListTodosQueryDto, shape.path),
        );
        if (shape.path.includes('q=')) {
          // A search runs as an unnamed statement, planned with its values each time.
          plans[name] = `-- the app's statement, planned with its values as the app runs a search:\n${await explain(text, values)}`;
        } else {
          const statement = `scale_${Object.keys(plans).length}`;
          for (let i = 0; i < 6; i++) await client.query({ name: statement, text, values });
          const literals = values.map((v) => client.escapeLiteral(String(v))).join(', ');
          plans[name] =
            `-- the app's prepared statement, as its connections run it:\n${await explain(`EXECUTE ${statement}(${literals})`)}`;
        }
      } else if (path === '/admin/users') {
        const [{ UsersService }, { User }, { ListUsersQueryDto }] = userMods;
        const { page, count } = new UsersService(dataSource.getRepository(User), undefined, cursors).listQueries(
          listDto(ListUsersQueryDto, shape.path),
        );
        plans[name] =
          `-- the page:\n${await explain(...page.getQueryAndParameters())}\n-- the capped total:\n${await explain(...count.getQueryAndParameters())}`;
      } else if (path === '/auth/sessions') {
        const [{ Session }, { IsNull, Raw }] = sessionMods;
        const find = dataSource
          .getRepository(Session)
          .createQueryBuilder('session')
          .setFindOptions({
            where: { userId: heavyId, revokedAt: IsNull(), expiresAt: Raw((column) => `${column} > now()`) },
            order: { lastUsedAt: 'DESC', id: 'DESC' },
          });
        plans[name] = `-- the session list's find:\n${await explain(...find.getQueryAndParameters())}`;
      }
    }
  } finally {
    await client.end();
    await dataSource.destroy();
  }
  return plans;
}

function scaleTable(shapes) {
  const rows = [['shape', 'small p50 ms', 'big p50 ms', 'growth']];
  for (const s of shapes) rows.push([s.name, f1(s.small.p50Ms), f1(s.big.p50Ms), `${f1(s.growth)}×${s.growth > SCALE.target ? ' !' : ''}`]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [
    line(rows[0]),
    `|${widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

/** A fresh database, dropped at the end, and a client of it. */
async function scaleDatabase(name) {
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  cleanups.push(() => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
  const url = `postgresql://postgres@127.0.0.1:5432/${name}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(() => client.end());
  return { name, url, client };
}

/** The migrations that change the big tables, by file name: undone in reverse, then applied again, each timed. */
const TIMED_MIGRATIONS = ['TitleCollationTrigrams', 'ListIndexes', 'TodoCounts', 'SearchAndSessionIndexes'];

/**
 * How long each of `TIMED_MIGRATIONS` takes on the big data set: the compiled migrations' own
 * `down` and `up` run on one connection, as the server runs them (a transaction around each but
 * those that build `CONCURRENTLY`), without touching the migrations table.
 */
async function timeMigrations(client) {
  const dir = join(root, 'dist/migrations');
  const classes = [];
  for (const name of TIMED_MIGRATIONS) {
    const file = readdirSync(dir).find((f) => f.endsWith(`-${name}.js`));
    const module = await import(join(dir, file));
    classes.push(Object.values(module)[0]);
  }
  const runner = { query: async (sql, values) => (await client.query(sql, values)).rows };
  const run = async (migration, step) => {
    const inTransaction = migration.transaction !== false;
    if (inTransaction) await client.query('BEGIN');
    await migration[step](runner);
    if (inTransaction) await client.query('COMMIT');
  };
  log(`scale: undoing ${TIMED_MIGRATIONS.join(', ')}`);
  for (const Migration of classes.toReversed()) await run(new Migration(), 'down');
  const timed = [];
  for (const Migration of classes) {
    const migration = new Migration();
    const started = performance.now();
    await run(migration, 'up');
    timed.push({ name: migration.name, seconds: (performance.now() - started) / 1000 });
    log(`scale: ${migration.name} applied in ${f1(timed.at(-1).seconds)} s`);
  }
  return timed;
}

/**
 * The scale phase, on two databases of its own (`bench_<pid>_small`, `bench_<pid>_big`), each
 * served by its own instance of the app: both get the small data set through the API; the big
 * one then gets the big data set by SQL, and its app is restarted with the heavy user's todo
 * quota raised. Every shape is then measured on both, interleaved (`measureShapes`); the growth
 * of each, and the plans of those past `SCALE.target`, are reported.
 */
async function scale() {
  const work = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  delete process.env.DATABASE_URL;
  delete process.env.REDIS_URL;
  const startScript = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts['start:prod'];
  const jwtSecret = randomBytes(48).toString('base64url');
  const envFor = (database, port) => ({
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    JWT_SECRET: jwtSecret,
    MFA_ENCRYPTION_KEY: randomBytes(48).toString('base64url'),
    DATA_DIR: join(work, database.name),
    DATABASE_URL: database.url,
    ...LIMITS_OFF,
    UV_THREADPOOL_SIZE: String(threadPoolSize),
  });
  const startApp = async (label, env) => {
    const app = start(label, 'sh', ['-c', startScript], env);
    await waitReady(app, Number(env.PORT));
    return app;
  };
  const tokensOf = async (port, seeded) => ({
    heavy: await login(port, seeded.heavyEmail, seeded.password),
    admin: await login(port, seeded.adminEmail, seeded.password),
  });

  const smallDb = await scaleDatabase(`bench_${process.pid}_small`);
  const bigDb = await scaleDatabase(`bench_${process.pid}_big`);
  const smallEnv = envFor(smallDb, appPort);
  // The heavy user holds more todos than an account may by default: its quota is raised.
  const bigEnv = { ...envFor(bigDb, baselinePort), TODOS_PER_USER_MAX: String(SCALE.heavyTodos * 2) };
  log(`scale: the small data set through the API, on ${smallDb.name} (port ${appPort}) and ${bigDb.name} (port ${baselinePort})`);
  const smallApp = await startApp('app (small)', smallEnv);
  let bigApp = await startApp('app (big)', bigEnv);
  const small = await seedSmall(appPort, smallDb.client);
  const big = await seedSmall(baselinePort, bigDb.client);
  await stop(bigApp);

  log(`scale: loading ${SCALE.users} users, ${SCALE.todos} todos (${SCALE.heavyTodos} the heavy user's), ${SCALE.heavySessions} sessions`);
  const load = await loadBig(bigDb.url, big.heavyId);
  log(`scale: loaded in ${f1(load.seconds)} s; ${f0(load.counts.sizeMiB)} MiB`);

  bigApp = await startApp('app (big)', bigEnv);
  // A login of the heavy user ends its live sessions beyond the limit, among its million.
  const loginStarted = performance.now();
  const heavyToken = await login(baselinePort, big.heavyEmail, big.password);
  const heavyLoginMs = performance.now() - loginStarted;
  const bigTokens = { heavy: heavyToken, admin: await login(baselinePort, big.adminEmail, big.password) };
  const measured = await measureShapes([
    { label: 'small', port: appPort, tokens: await tokensOf(appPort, small) },
    { label: 'big', port: baselinePort, tokens: bigTokens },
  ]);
  await Promise.all([stop(smallApp), stop(bigApp)]);
  const { small: smallResults, big: bigResults } = measured;
  const migrations = await timeMigrations(bigDb.client);

  const shapes = SCALE_SHAPES.map(([name]) => ({
    name,
    small: smallResults[name],
    big: bigResults[name],
    growth: bigResults[name].p50Ms / smallResults[name].p50Ms,
  }));
  const slow = shapes.filter((s) => s.growth > SCALE.target).map((s) => [s.name, s.big]);
  const plans = slow.length > 0 ? await explainShapes(slow, { appEnv: bigEnv, heavyId: big.heavyId }) : {};

  const results = {
    date: new Date().toISOString(),
    config: { ...SCALE, terms: TERMS, node: process.version, cpus: availableParallelism(), database: 'postgresql', phases: ['scale'] },
    load,
    migrations,
    heavyLoginMs,
    shapes,
    plans,
  };
  const c = load.counts;
  const lines = [
    scaleTable(shapes),
    '',
    `median of ${SCALE.samples} sequential requests per shape after ${SCALE.warmup}, client-side (request to last byte); growth = big / small; ! = over ${SCALE.target}×`,
    `big data set: ${c.users} users, ${c.todos} todos (${c.heavy_todos} the heavy user's), ${c.heavy_sessions} sessions of the heavy user, ${f0(c.sizeMiB)} MiB; loaded with SQL in ${f1(load.seconds)} s (${Object.entries(
      load.steps,
    )
      .map(([k, v]) => `${k} ${f1(v)} s`)
      .join(', ')}; the two connections' steps overlap)`,
    `deep pages: the cursor is minted by walking the list once, page by page; only the last page's request is timed (${shapes
      .filter((s) => s.small.page > 1 || s.big.page > 1)
      .map((s) => `${s.name}: page ${s.small.page} small, ${s.big.page} big`)
      .join('; ')})`,
    `the heavy user's login on the big data set (ends its live sessions beyond the limit): ${f0(heavyLoginMs)} ms`,
    '',
    `migrations on the big data set (undone, then applied again in order, each timed; the app stopped):`,
    ...migrations.map((m) => `  ${m.name}: ${f1(m.seconds)} s`),
  ];
  for (const [name, plan] of Object.entries(plans)) lines.push('', `EXPLAIN (ANALYZE, BUFFERS) of ${name} on the big data set:`, plan);
  console.log(lines.join('\n'));
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `${results.date.slice(0, 19).replace(/:/g, '-')}-postgresql-scale.json`);
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  log(`wrote ${file}`);
}

try {
  await main();
  await cleanup();
} catch (error) {
  console.error(`bench failed: ${error.stack ?? error}`);
  await cleanup();
  process.exit(1);
}
