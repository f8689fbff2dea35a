import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type pg from 'pg';
import { idempotencyLock } from '../../src/idempotency/idempotency-lock.js';
import { Instance } from '../support/instance.js';
import { connectPg, withPgClient } from '../support/pg-client.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/until.js';
import { expectProblem, PASSWORD, signUp, uniqueEmail } from '../support/factories.js';

/**
 * Several processes of the built server on one PostgreSQL database and one Redis, as operators
 * run it behind a load balancer; then PostgreSQL going away and coming back, pending migrations,
 * key rotation seen by an outside verifier, and SIGTERM. These need a PostgreSQL server:
 * `DATABASE_URL` (the test runner only picks them up when it is set).
 */
const DATABASE_URL = process.env.DATABASE_URL!;
const REDIS = 'redis://127.0.0.1:6379';
const ISSUER = 'nest-auth-todos';
const AUDIENCE = 'nest-auth-todos-api';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const login = (instance: Instance, username: string, password: string) =>
  instance.http.post('/auth/login').type('form').send({ username, password });
/** For requests that must not hang: the deadline catches a socket left waiting, it is no speed target. */
const NO_HANG_MS = 15_000;

describe('two instances on one database and one Redis', () => {
  const prefix = `test-${randomBytes(6).toString('hex')}:`;
  const adminEmail = uniqueEmail('cluster-admin');
  let a: Instance;
  let b: Instance;
  before(async () => {
    const shared = {
      DATABASE_URL,
      REDIS_URL: REDIS,
      REDIS_KEY_PREFIX: prefix,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      RATE_LIMIT_LOGIN_FAILURES: '4',
    };
    a = await Instance.start({ ...shared, ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: PASSWORD });
    b = await Instance.start(shared);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    const redis = new Redis(REDIS);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('accepts on B a token issued by A, and refuses it on B once the session is ended on A', async () => {
    const user = await signUp(a.http);
    assert.equal((await b.http.get('/users/me').set(user.auth)).body.email, user.email);
    assert.equal((await a.http.post('/auth/logout').set(user.auth)).status, 204);
    expectProblem(await b.http.get('/users/me').set(user.auth), 401);
  });

  it('refuses on B a user deactivated through A', async () => {
    const user = await signUp(b.http);
    const admin = (await login(a, adminEmail, PASSWORD)).body.access_token as string;
    assert.equal((await a.http.patch(`/admin/users/${user.id}`).set(bearer(admin)).send({ is_active: false })).status, 200);
    expectProblem(await b.http.get('/users/me').set(user.auth), 403, 'Inactive account');
  });

  it('adds failed logins on A and B up to one account limit', async () => {
    const user = await signUp(a.http);
    for (const instance of [a, b, a, b])
      expectProblem(await login(instance, user.email, 'wrong-guess'), 401, 'Incorrect email or password');
    expectProblem(await login(b, user.email, PASSWORD), 429);
    expectProblem(await login(a, user.email, PASSWORD), 429);
  });

  it('answers 409 on B for an Idempotency-Key whose request is still running, then the first answer', async () => {
    const user = await signUp(a.http);
    const post = (instance: Instance) =>
      instance.http.post('/todos').set(user.auth).set('Idempotency-Key', 'shared-key').send({ title: 'once' });
    // Holds the key's lock as an instance does while its request runs.
    await withPgClient(async (holder) => {
      await holder.query('BEGIN');
      await holder.query(
        'SELECT pg_advisory_xact_lock($1, $2)',
        idempotencyLock({ userId: user.id }, { key: 'shared-key', fingerprint: '' }),
      );
      expectProblem(await post(b), 409, 'A request with this Idempotency-Key is still being processed');
      await holder.query('ROLLBACK');
    }, DATABASE_URL);
    const created = await post(a);
    assert.equal(created.status, 201, created.text);
    const replayed = await post(b);
    assert.equal(replayed.status, 201);
    assert.equal(replayed.text, created.text);
    assert.equal((await b.http.get('/todos').set(user.auth)).body.length, 1);
  });
});

describe('PostgreSQL going away and coming back', () => {
  let proxy: TcpProxy;
  let instance: Instance;
  before(async () => {
    proxy = await TcpProxy.inFrontOf(DATABASE_URL);
    instance = await Instance.start({ DATABASE_URL: proxy.url(DATABASE_URL), JWT_SECRET: randomBytes(48).toString('base64url') });
  });
  after(async () => {
    await instance?.stop();
    await proxy?.close();
  });

  it('answers 503 while the database is unreachable, stays up, recovers by itself and keeps acknowledged writes', async () => {
    const user = await signUp(instance.http);
    const saved = await instance.http.post('/todos').set(user.auth).send({ title: 'written before the outage' });
    assert.equal(saved.status, 201);

    await proxy.cut();
    const ready = await fetch(`${instance.url}/health/ready`, {
      headers: { 'x-request-id': 'outage-ready-1' },
      signal: AbortSignal.timeout(NO_HANG_MS),
    });
    assert.equal(ready.status, 503);
    // Up or down, nothing more: the database's own words are for the logs, not for whoever asks.
    assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, {
      database: { status: 'down' },
      migrations: { status: 'up' },
      rateLimitStore: { status: 'up' },
    });
    assert.equal((await fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(NO_HANG_MS) })).status, 503);
    const changes = () =>
      instance
        .logs()
        .split('\n')
        .filter((line) => line.includes('"event":"readiness_changed"'))
        .map((line) => JSON.parse(line) as { check: string; status: string; level: number; message?: string });
    // Two failed probes, one line, with the detail the body leaves out.
    assert.deepEqual(
      changes().map(({ check, status }) => ({ check, status })),
      [{ check: 'database', status: 'down' }],
    );
    assert.ok(changes()[0].message, 'the reason is logged');
    expectProblem(await instance.http.get('/users/me').set(user.auth).set('x-request-id', 'outage-me-1').timeout(NO_HANG_MS), 503);
    // The error and the request line carry the same request id.
    await until('the failure is logged with its request id', async () => {
      const lines = instance
        .logs()
        .split('\n')
        .filter((line) => line.includes('"id":"outage-me-1"'));
      return (
        lines.some((line) => line.includes('"msg":"request errored"')) && lines.some((line) => line.includes('"msg":"Request failed"'))
      );
    });
    // A failed readiness check is an answer, not an error: its request line only, no stack trace.
    const probe = instance
      .logs()
      .split('\n')
      .filter((line) => line.includes('"id":"outage-ready-1"'));
    assert.deepEqual(
      probe.map((line) => (JSON.parse(line) as { msg: string }).msg),
      ['request errored'],
    );
    expectProblem(await instance.http.post('/todos').set(user.auth).send({ title: 'refused' }).timeout(NO_HANG_MS), 503);
    expectProblem(await login(instance, user.email, PASSWORD).timeout(NO_HANG_MS), 503);
    assert.equal((await fetch(`${instance.url}/health/live`, { signal: AbortSignal.timeout(NO_HANG_MS) })).status, 200);

    await proxy.restore();
    await until(
      'the instance is ready again',
      async () => (await fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(NO_HANG_MS) })).status === 200,
    );
    // Log lines are written asynchronously: the answer may come before its line is out.
    await until('the recovery is logged', () => changes().length > 1);
    assert.deepEqual(
      changes().map(({ check, status }) => ({ check, status })),
      [
        { check: 'database', status: 'down' },
        { check: 'database', status: 'up' },
      ],
    );
    const todos = await instance.http.get('/todos').set(user.auth);
    assert.equal(todos.status, 200);
    assert.deepEqual(
      todos.body.map((t: { title: string }) => t.title),
      ['written before the outage'],
    );
    assert.equal((await instance.http.post('/todos').set(user.auth).send({ title: 'after' })).status, 201);
  });
});

describe('pending migrations', () => {
  const database = `pending_${process.pid}_${Date.now()}`;
  let admin: pg.Client;
  before(async () => {
    admin = await connectPg(DATABASE_URL);
    await admin.query(`CREATE DATABASE "${database}"`);
  });
  after(async () => {
    // Ended even when the drop fails: left open, the client keeps the run from ending.
    try {
      await admin?.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    } finally {
      await admin?.end();
    }
  });

  it('keeps an instance out of rotation until the schema is migrated, by another instance', async () => {
    const url = new URL(DATABASE_URL);
    url.pathname = `/${database}`;
    const env = { DATABASE_URL: url.toString(), JWT_SECRET: randomBytes(48).toString('base64url') };
    const stale = await Instance.start({ ...env, MIGRATIONS_RUN: 'false' }, 'live');
    try {
      const ready = await stale.http.get('/health/ready');
      expectProblem(ready, 503, 'Not ready: migrations');
      assert.deepEqual(ready.body.checks.migrations, { status: 'down' });
      assert.equal(ready.body.checks.database.status, 'up');
      const [{ table }] = await withPgClient(
        async (probed) => (await probed.query<{ table: string | null }>(`SELECT to_regclass('public.migrations')::text AS table`)).rows,
        env.DATABASE_URL,
      );
      assert.equal(table, null, 'the readiness probe changes nothing in the database');
      const migrator = await Instance.start(env);
      await migrator.stop();
      assert.equal((await stale.http.get('/health/ready')).status, 200);
    } finally {
      await stale.stop();
    }
  });
});

describe('key rotation, seen by an independent JWKS verifier', () => {
  const pem = (key: KeyObject) => key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }).toString();
  const oldKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const newKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  /** A fresh remote key set each time, as a verifier that starts after the rotation has. */
  const verify = (instance: Instance, token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(`${instance.url}/.well-known/jwks.json`)), {
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });

  it('accepts old and new tokens while the old key is listed, and only new ones once it is withdrawn', async () => {
    const base = { DATABASE_URL, JWT_SECRET: undefined };
    const first = await Instance.start({ ...base, JWT_PRIVATE_KEY: pem(oldKey.privateKey), JWT_PUBLIC_KEY: pem(oldKey.publicKey) });
    let user: Awaited<ReturnType<typeof signUp>>;
    try {
      user = await signUp(first.http);
      assert.equal((await verify(first, user.token)).payload.sub, String(user.id));
    } finally {
      await first.stop();
    }
    const oldToken = user.token;

    const rotated = await Instance.start({
      ...base,
      JWT_PRIVATE_KEY: pem(newKey.privateKey),
      JWT_PUBLIC_KEY: pem(newKey.publicKey),
      JWT_ROTATED_PUBLIC_KEYS: pem(oldKey.publicKey),
    });
    let newToken: string;
    try {
      newToken = (await login(rotated, user.email, PASSWORD)).body.access_token as string;
      await verify(rotated, oldToken);
      await verify(rotated, newToken);
      assert.equal((await rotated.http.get('/users/me').set(bearer(oldToken))).status, 200);
      assert.equal((await rotated.http.get('/users/me').set(bearer(newToken))).status, 200);
    } finally {
      await rotated.stop();
    }

    const withdrawn = await Instance.start({ ...base, JWT_PRIVATE_KEY: pem(newKey.privateKey), JWT_PUBLIC_KEY: pem(newKey.publicKey) });
    try {
      await verify(withdrawn, newToken);
      await assert.rejects(verify(withdrawn, oldToken), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
      expectProblem(await withdrawn.http.get('/users/me').set(bearer(oldToken)), 401, 'Invalid token');
      assert.equal((await withdrawn.http.get('/users/me').set(bearer(newToken))).status, 200);
    } finally {
      await withdrawn.stop();
    }
  });
});

describe('SIGTERM', () => {
  it('finishes the requests in flight, refuses new connections, closes the pools and exits 0', async () => {
    // One hash at a time: the logins queue, so most are still running when the signal comes.
    const instance = await Instance.start({
      DATABASE_URL,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      PASSWORD_HASH_CONCURRENCY: '1',
    });
    const user = await signUp(instance.http);
    const logins = Array.from({ length: 8 }, () =>
      fetch(`${instance.url}/auth/login`, { method: 'POST', body: new URLSearchParams({ username: user.email, password: PASSWORD }) }).then(
        (response) => ({
          status: response.status,
          at: Date.now(),
        }),
      ),
    );
    const first = await Promise.race(logins);
    const signalled = Date.now();
    const exit = instance.stop('SIGTERM');
    await until('the server stops listening', () =>
      fetch(`${instance.url}/health/live`, { signal: AbortSignal.timeout(NO_HANG_MS) }).then(
        () => false,
        () => true,
      ),
    );
    const answered = await Promise.all(logins);
    assert.equal(first.status, 200);
    assert.deepEqual(
      answered.map((a) => a.status),
      Array(8).fill(200),
    );
    assert.ok(
      answered.some((a) => a.at > signalled),
      'some logins were still running at the signal, and finished',
    );
    assert.equal(await exit, 0, instance.logs());
    assert.match(instance.logs(), /SIGTERM: finishing in-flight requests/);
    assert.match(instance.logs(), /"msg":"Stopped"/);
  });
});
