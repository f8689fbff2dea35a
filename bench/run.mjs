// npm run bench [-- --duration 10 --connections 50 --rounds 1 --embedded --smoke --phases me,todos,create,update,login,storm]
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
import { summarise } from './profile-summary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    embedded: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    'app-port': { type: 'string', default: '3601' },
    'baseline-port': { type: 'string', default: '3602' },
    // A subset of the phases, for measuring one change quickly; the full run is the reference.
    phases: { type: 'string', default: 'me,todos,create,update,login,storm' },
    // Request phases run app, baseline, app, baseline, …: on a busy machine the median of the
    // rounds' ratios moves far less than one pair measured once.
    rounds: { type: 'string', default: '1' },
    // The app runs under V8's CPU profiler; the profile is written to bench/results/ and summarised.
    profile: { type: 'boolean', default: false },
  },
});
const PHASES = ['me', 'todos', 'create', 'update', 'login', 'storm'];
const selected = new Set(flags.phases.split(',').map((p) => p.trim()));
for (const p of selected) if (!PHASES.includes(p)) throw new Error(`--phases: unknown phase "${p}" (known: ${PHASES.join(', ')})`);
const smoke = flags.smoke;
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

/* ---------- report ---------- */

const f0 = (n) => (n === undefined ? '—' : n.toFixed(0));
const f1 = (n) => (n === undefined ? '—' : n.toFixed(1));
const f2 = (n) => (n === undefined ? '—' : n.toFixed(2));
const pct = (n) => (n === undefined ? '—' : `${(n * 100).toFixed(0)} %`);

function table(results) {
  const rows = [
    ['phase', 'app req/s', 'p50 ms', 'p99 ms', 'base req/s', 'p50 ms', 'p99 ms', 'app/base', 'app CPU ms/req', 'base CPU ms/req'],
  ];
  for (const p of results.phases) {
    const { app, baseline: b } = p;
    const cpu = (r) =>
      r
        ? `${f2(r.cpuMsPerRequest.total)} (${f2(r.cpuMsPerRequest.server)}+${f2(r.cpuMsPerRequest.postgres)}+${f2(r.cpuMsPerRequest.wrk)})`
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
      (p) => `${p.name}: app/base over ${p.ratios.length} interleaved rounds ${p.ratios.map(pct).join(', ')} (the median round is shown)`,
    ),
    `CPU ms/req = server + PostgreSQL backends + wrk, from /proc; ${results.config.connections} connections, ${results.config.duration} s per phase, ${results.config.hashConcurrency} hashes at once (${results.config.hashesHandedOut} handed to libuv's ${results.config.threadPoolSize} threads).`,
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
  lines.push(
    `RSS: idle ${f0(m.idleMiB)} MiB, peak under load ${f0(m.peakMiB)} MiB, after load ${f0(m.afterLoadMiB)} MiB; ready ${f0(results.startup.readyMs)} ms after spawn (${results.config.database})`,
  );
  out.push('', ...lines);
  return out.join('\n');
}

/* ---------- main ---------- */

async function main() {
  ensureBuilt();
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
    DATA_DIR: join(work, 'data'),
    RATE_LIMIT_LOGIN_PER_MINUTE: '100000000',
    RATE_LIMIT_LOGIN_FAILURES: '100000000',
    RATE_LIMIT_REGISTER_PER_HOUR: '100000000',
    // A registration mails a verification link, which spends the client's mail budget too.
    RATE_LIMIT_MAIL_PER_HOUR: '100000000',
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
    phases.push({ name, ...runs[Math.floor((runs.length - 1) / 2)], ...(rounds > 1 ? { ratios: runs.map((r) => r.ratio) } : {}) });
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
    memory: { idleMiB: idle.rssMiB, peakMiB: loaded.peakMiB, afterLoadMiB: afterLoad.rssMiB },
    startup: { readyMs },
  };
  const failures = [...phases.flatMap((p) => [p.app, p.baseline]), storm?.todos, storm?.login, storm?.quiet]
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
    `${results.date.slice(0, 19).replace(/:/g, '-')}-${results.config.database}${smoke ? '-smoke' : ''}${selected.size < PHASES.length ? '-partial' : ''}.json`,
  );
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  log(`wrote ${file}`);
  if (failures > 0) throw new Error(`${failures} requests failed (non-2xx, timeouts or socket errors); see above`);
}

try {
  await main();
  await cleanup();
} catch (error) {
  console.error(`bench failed: ${error.stack ?? error}`);
  await cleanup();
  process.exit(1);
}
