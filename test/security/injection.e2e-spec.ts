import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, signUp, type SignedIn } from '../support/factories.js';

/** Strings that break naive SQL, JSON, path, template or log handling. */
const HOSTILE: unknown[] = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '%',
  '_',
  '\\',
  '$1',
  '${jndi:ldap://127.0.0.1/x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '\u202e',
  '😀'.repeat(50),
  'a'.repeat(5000),
  { $gt: '' },
  ['array'],
  1e308,
  -1,
  true,
  null,
];

describe('hostile input in every field and query parameter', () => {
  let t: TestApp;
  let user: SignedIn;
  let admin: SignedIn;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());
  afterEach(() => t.reset());

  const counts = async () =>
    (
      await t.app.get(DataSource).query('SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM todos) AS todos')
    )[0] as { users: number; todos: number };

  it('never answers 5xx, and changes nothing it refuses', async () => {
    user = await signUp(t.http);
    const { AdminBootstrapService } = await import('../../src/admin-bootstrap/admin-bootstrap.service.js');
    await t.app.get(AdminBootstrapService).ensureAdmin('boss@example.com', 'amber-falcon-river-77');
    admin = {
      ...user,
      auth: {
        Authorization: `Bearer ${(await t.http.post('/auth/login').type('form').send({ username: 'boss@example.com', password: 'amber-falcon-river-77' })).body.access_token}`,
      },
    };
    const todo = (await t.http.post('/todos').set(user.auth).send({ title: 'mine' })).body as { id: number };
    const before = await counts();

    for (const value of HOSTILE) {
      const requests = [
        t.http.post('/auth/register').send({ email: value, password: value }),
        t.http
          .post('/auth/login')
          .type('form')
          .send({ username: String(value), password: String(value) }),
        t.http.post('/auth/refresh').send({ refresh_token: value }),
        t.http.post('/todos').set(user.auth).send({ title: 'x', description: value }),
        t.http.post('/todos').set(user.auth).send({ title: 'x', completed: value }),
        t.http.patch(`/todos/${todo.id}`).set(user.auth).send({ title: value }),
        t.http.post('/users/me/password').set(user.auth).send({ current_password: value, new_password: value }),
        t.http.patch(`/admin/users/${user.id}`).set(admin.auth).send({ role: value, is_active: value }),
      ];
      for (const query of ['q', 'sort', 'limit', 'offset', 'cursor', 'completed']) {
        requests.push(
          t.http
            .get('/todos')
            .query({ [query]: typeof value === 'string' ? value : JSON.stringify(value) })
            .set(user.auth),
        );
      }
      for (const query of ['q', 'role', 'is_active', 'limit', 'cursor']) {
        requests.push(
          t.http
            .get('/admin/users')
            .query({ [query]: typeof value === 'string' ? value : JSON.stringify(value) })
            .set(admin.auth),
        );
      }
      if (typeof value === 'string') {
        requests.push(t.http.get(`/todos/${encodeURIComponent(value)}`).set(user.auth));
        requests.push(t.http.delete(`/auth/sessions/${encodeURIComponent(value)}`).set(user.auth));
      }
      for (const res of await Promise.all(requests)) {
        assert.ok(res.status < 500, `${res.status} for ${JSON.stringify(value)}: ${res.text.slice(0, 200)}`);
      }
    }
    const after = await counts();
    const storable = (v: unknown) => v === null || (typeof v === 'string' && [...v].length <= 2000);
    const expected = HOSTILE.filter(storable).length + HOSTILE.filter((v) => v === null || typeof v === 'boolean').length;
    assert.equal(after.todos - before.todos, expected, 'exactly the valid todos were stored');
    assert.equal(after.users, before.users, 'no hostile email registered');
    const me = await t.http.get(`/todos/${todo.id}`).set(user.auth);
    assert.ok(typeof me.body.title === 'string');
  });

  it('answers another user’s todo exactly like a missing one', async () => {
    const a = await signUp(t.http);
    const b = await signUp(t.http);
    const theirs = (await t.http.post('/todos').set(b.auth).send({ title: 'private' })).body.id as number;
    const missing = theirs + 1000;
    for (const method of ['get', 'patch', 'delete'] as const) {
      const other = await t.http[method](`/todos/${theirs}`)
        .set(a.auth)
        .send(method === 'patch' ? { title: 'x' } : undefined);
      const none = await t.http[method](`/todos/${missing}`)
        .set(a.auth)
        .send(method === 'patch' ? { title: 'x' } : undefined);
      assert.equal(other.status, 404);
      assert.deepEqual({ ...other.body, instance: undefined }, { ...none.body, instance: undefined });
    }
  });
});

describe('token forgery', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('refuses alg none in any spelling, future nbf, and tokens without a signature', async () => {
    const user = await signUp(t.http);
    const claims = jwt.decode(user.token) as jwt.JwtPayload;
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const token = `${encode({ alg, typ: 'at+jwt' })}.${encode(claims)}.`;
      expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${token}`), 401);
    }
    const [header, payload] = user.token.split('.');
    expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${header}.${payload}.`), 401);
    const early = jwt.sign({ ...claims, nbf: Math.floor(Date.now() / 1000) + 120 }, t.jwtSecret, {
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: 'at+jwt' },
    });
    expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${early}`), 401);
    const inTolerance = jwt.sign({ ...claims, nbf: Math.floor(Date.now() / 1000) + 3 }, t.jwtSecret, {
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: 'at+jwt' },
    });
    assert.equal(
      (await t.http.get('/users/me').set('Authorization', `Bearer ${inTolerance}`)).status,
      200,
      'a few seconds of clock skew pass',
    );
  });

  it('sends HSTS only for requests that arrived over TLS at a trusted proxy', async () => {
    await t.close();
    t = await startTestApp({ TRUST_PROXY: '1' });
    const tls = await t.http.get('/health/live').set('X-Forwarded-Proto', 'https');
    assert.match(tls.headers['strict-transport-security'], /max-age=\d+/);
    const plain = await t.http.get('/health/live');
    assert.equal(plain.headers['strict-transport-security'], undefined);
  });
});
