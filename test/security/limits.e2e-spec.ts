import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startTestApp, type TestApp } from '../support/app.js';
import { Instance } from '../support/instance.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/until.js';
import { type SecurityEvent, SecurityEventsService } from '../../src/security-events/security-events.service.js';
import { expectProblem, PASSWORD, type SignedIn, signUp, uniqueEmail } from '../support/factories.js';

/**
 * Brute-force limits, with the counters in this process and, when Redis answers on
 * 127.0.0.1:6379 (CI and the development machines have it), in Redis as several instances use.
 */
const storeEnv = (store: 'memory' | 'redis'): Record<string, string> =>
  store === 'redis' ? { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:` } : {};

const attempt = (t: Pick<TestApp, 'http'>, username: string, password: string, ip?: string) => {
  const req = t.http.post('/auth/login').type('form');
  if (ip) req.set('X-Forwarded-For', ip);
  return req.send({ username, password });
};

const NEW_PASSWORD = 'amber-falcon-river-77';

/** The password change's check of the current password, which the login's limits also cover. */
const change = (t: Pick<TestApp, 'http'>, user: SignedIn, currentPassword: string) =>
  t.http.post('/users/me/password').set(user.auth).send({ current_password: currentPassword, new_password: NEW_PASSWORD });

/**
 * Brute-force limits, with the counters in this process and in Redis (127.0.0.1:6379 on CI and
 * the development machines), as several instances share them.
 */
for (const store of ['memory', 'redis'] as const) {
  describe(`per-account login failures (${store})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ RATE_LIMIT_LOGIN_FAILURES: '3', ...storeEnv(store) });
    });
    after(() => t.close());
    afterEach(() => t.reset());

    it('throttles an account after its failures, with Retry-After, even for the right password', async () => {
      const victim = uniqueEmail('victim');
      await t.http.post('/auth/register').send({ email: victim, password: PASSWORD });
      for (let i = 0; i < 3; i += 1) expectProblem(await attempt(t, victim, `wrong-guess-${i}`), 401);
      const blocked = await attempt(t, ` ${victim.toUpperCase()} `, PASSWORD);
      expectProblem(blocked, 429);
      assert.ok(Number(blocked.headers['retry-after']) > 0 && Number(blocked.headers['retry-after']) <= 900);
      const unknown = uniqueEmail('nobody');
      for (let i = 0; i < 3; i += 1) expectProblem(await attempt(t, unknown, 'wrong-guess'), 401);
      expectProblem(await attempt(t, unknown, 'wrong-guess'), 429, 'Too many requests, retry later');
    });

    it('gives a burst of parallel guesses no more tries than a sequence', async () => {
      const victim = uniqueEmail('burst');
      await t.http.post('/auth/register').send({ email: victim, password: PASSWORD });
      const statuses = (await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(t, victim, `guess-${i}`)))).map((r) => r.status);
      assert.ok(
        statuses.every((s) => s === 401 || s === 429),
        `${statuses}`,
      );
      assert.ok(statuses.filter((s) => s === 401).length <= 3, `at most 3 passwords checked: ${statuses}`);
    });

    it('never lets one account’s failures block another, and resets on success', async () => {
      const a = uniqueEmail('a');
      const b = uniqueEmail('b');
      for (const email of [a, b]) await t.http.post('/auth/register').send({ email, password: PASSWORD });
      for (let i = 0; i < 2; i += 1) expectProblem(await attempt(t, a, 'wrong-guess'), 401);
      assert.equal((await attempt(t, a, PASSWORD)).status, 200, 'under the limit');
      for (let i = 0; i < 2; i += 1) expectProblem(await attempt(t, a, 'wrong-guess'), 401, 'Incorrect email or password');
      assert.equal((await attempt(t, a, PASSWORD)).status, 200, 'the success reset the count');
      for (let i = 0; i < 3; i += 1) await attempt(t, a, 'wrong-guess');
      assert.equal((await attempt(t, b, PASSWORD)).status, 200);
    });

    it('throttles wrong current passwords at /users/me/password as it throttles logins, even for the right one', async () => {
      const events: SecurityEvent[] = [];
      const unsubscribe = t.app.get(SecurityEventsService).subscribe((event) => events.push(event));
      try {
        const user = await signUp(t.http);
        for (let i = 0; i < 3; i += 1) expectProblem(await change(t, user, `wrong-guess-${i}`), 401, 'Current password is incorrect');
        const blocked = await change(t, user, 'wrong-guess');
        expectProblem(blocked, 429, 'Too many requests, retry later');
        assert.ok(Number(blocked.headers['retry-after']) > 0 && Number(blocked.headers['retry-after']) <= 900);
        expectProblem(await change(t, user, PASSWORD), 429);
        expectProblem(await attempt(t, user.email, PASSWORD), 429, 'Too many requests, retry later');
        assert.equal(events.filter((e) => e === 'password_check_failed').length, 3);
        assert.ok(events.includes('password_check_throttled'));
      } finally {
        unsubscribe();
      }
    });

    it('counts failures at login and at the password change together, and a success at either starts again', async () => {
      const changeAfterLogins = await signUp(t.http);
      for (let i = 0; i < 2; i += 1) expectProblem(await attempt(t, changeAfterLogins.email, 'wrong-guess'), 401);
      expectProblem(await change(t, changeAfterLogins, 'wrong-guess'), 401);
      expectProblem(await change(t, changeAfterLogins, PASSWORD), 429);

      const loginAfterChanges = await signUp(t.http);
      for (let i = 0; i < 2; i += 1) expectProblem(await change(t, loginAfterChanges, 'wrong-guess'), 401);
      expectProblem(await attempt(t, loginAfterChanges.email, 'wrong-guess'), 401);
      expectProblem(await attempt(t, loginAfterChanges.email, PASSWORD), 429);

      const loginResets = await signUp(t.http);
      for (let i = 0; i < 2; i += 1) expectProblem(await change(t, loginResets, 'wrong-guess'), 401);
      assert.equal((await attempt(t, loginResets.email, PASSWORD)).status, 200);
      for (let i = 0; i < 3; i += 1) expectProblem(await change(t, loginResets, 'wrong-guess'), 401);
      expectProblem(await change(t, loginResets, PASSWORD), 429);

      const changeResets = await signUp(t.http);
      for (let i = 0; i < 2; i += 1) expectProblem(await change(t, changeResets, 'wrong-guess'), 401);
      assert.equal((await change(t, changeResets, PASSWORD)).status, 204);
      for (let i = 0; i < 3; i += 1) expectProblem(await attempt(t, changeResets.email, 'wrong-guess'), 401);
      expectProblem(await attempt(t, changeResets.email, NEW_PASSWORD), 429);
    });
  });

  describe(`the password change under the per-client-IP login limit (${store})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ RATE_LIMIT_LOGIN_PER_MINUTE: '4', ...storeEnv(store) });
    });
    after(() => t.close());

    it('spends the login budget of the client, so the two together get no more tries', async () => {
      const user = await signUp(t.http);
      for (let i = 0; i < 3; i += 1) expectProblem(await change(t, user, 'wrong-guess'), 401);
      const blocked = await change(t, user, PASSWORD);
      expectProblem(blocked, 429);
      assert.ok(Number(blocked.headers['retry-after']) >= 1 && Number(blocked.headers['retry-after']) <= 60);
      expectProblem(await attempt(t, user.email, PASSWORD), 429);
    });
  });

  describe(`per-client-IP limits (${store})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({
        RATE_LIMIT_LOGIN_PER_MINUTE: '6',
        RATE_LIMIT_REGISTER_PER_HOUR: '4',
        RATE_LIMIT_REFRESH_PER_MINUTE: '3',
        ...storeEnv(store),
      });
    });
    after(() => t.close());
    afterEach(() => t.reset());

    it('limits login attempts, and a rotating X-Forwarded-For does not escape it without TRUST_PROXY', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await attempt(t, uniqueEmail('spray'), 'wrong-guess', `203.0.113.${i}`)).status);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401]);
      const last = await attempt(t, uniqueEmail('spray'), 'wrong-guess', '198.51.100.1');
      expectProblem(last, 429);
      assert.ok(Number(last.headers['retry-after']) >= 1 && Number(last.headers['retry-after']) <= 60);
    });

    it('limits registrations and refreshes', async () => {
      const registrations = [];
      for (let i = 0; i < 5; i += 1)
        registrations.push((await t.http.post('/auth/register').send({ email: uniqueEmail('r'), password: PASSWORD })).status);
      assert.deepEqual(registrations, [201, 201, 201, 201, 429]);
      const refreshes = [];
      for (let i = 0; i < 4; i += 1) refreshes.push((await t.http.post('/auth/refresh').send({ refresh_token: 'x' })).status);
      assert.deepEqual(refreshes, [401, 401, 401, 429]);
    });
  });
}

describe('limits that need no counters', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());
  afterEach(() => t.reset());

  it('refuses a 1 MB password with 413, at the body limit, before any handler runs', async () => {
    const res = await t.http
      .post('/auth/login')
      .type('form')
      .send({ username: 'a@example.com', password: 'x'.repeat(1024 * 1024) });
    expectProblem(res, 413);
  });

  it('refuses a 99 KB password of U+FDFA (18 code points each under NFKC) with 422 wherever a password arrives', async () => {
    const huge = '\uFDFA'.repeat(33_000);
    const tooLong = (res: Awaited<ReturnType<typeof t.http.post>>, field: string) => {
      const body = expectProblem(res, 422);
      assert.deepEqual(body.errors, [{ field, message: `${field} must be at most 128 characters`, code: 'too_long' }]);
    };
    const user = await signUp(t.http);
    tooLong(await t.http.post('/auth/register').send({ email: uniqueEmail(), password: huge }), 'password');
    // Percent-encoded, a third of it fills the same 99 KB of form.
    tooLong(
      await t.http
        .post('/auth/login')
        .type('form')
        .send({ username: user.email, password: huge.slice(0, 11_000) }),
      'password',
    );
    tooLong(
      await t.http.post('/users/me/password').set(user.auth).send({ current_password: huge, new_password: 'amber-falcon-river-77' }),
      'current_password',
    );
    tooLong(
      await t.http.post('/users/me/password').set(user.auth).send({ current_password: PASSWORD, new_password: huge }),
      'new_password',
    );
    tooLong(await t.http.post('/auth/password-reset/confirm').send({ token: 'x'.repeat(43), new_password: huge }), 'new_password');
    assert.equal(
      (await t.http.post('/auth/login').type('form').send({ username: user.email, password: PASSWORD })).status,
      200,
      'the password is unchanged',
    );
  });

  it('answers each operation’s other content types with 415', async () => {
    const user = await signUp(t.http);
    expectProblem(await t.http.post('/auth/register').type('form').send({ email: uniqueEmail(), password: PASSWORD }), 415);
    expectProblem(await t.http.post('/auth/login').send({ username: user.email, password: PASSWORD }), 415);
    expectProblem(await t.http.post('/todos').set(user.auth).type('form').send({ title: 'x' }), 415);
    expectProblem(await t.http.post('/auth/refresh').type('form').send({ refresh_token: 'x' }), 415);
    // Operations that take no body refuse one rather than ignore it.
    expectProblem(await t.http.post('/auth/logout').set(user.auth).type('form').send({ a: 'b' }), 415, 'This operation takes no body');
    expectProblem(await t.http.delete('/todos/1').set(user.auth).send({ a: 'b' }), 415);
    assert.equal((await t.http.get('/users/me').set(user.auth)).status, 200, 'the session was not ended');
  });

  it('sends the security headers, and no-store on API responses', async () => {
    const user = await signUp(t.http);
    const res = await t.http.get('/users/me').set(user.auth);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.match(res.headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-powered-by'], undefined);
    assert.equal(res.headers['strict-transport-security'], undefined, 'HSTS only over TLS');
  });
});

describe('per-client-IP limits behind a trusted proxy', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_MINUTE: '3' });
  });
  after(() => t.close());

  it('reads the client from the proxy’s own entry, so spoofed entries before it do not escape the limit', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await attempt(t, uniqueEmail('spoof'), 'wrong-guess', `10.9.${i}.1, 198.51.100.20`)).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    const elsewhere = await attempt(t, uniqueEmail('other'), 'wrong-guess', '198.51.100.21');
    assert.equal(elsewhere.status, 401, 'another client behind the proxy has its own count');
  });

  it('counts every spelling of one address in one bucket: ports, IPv4-mapped and IPv6 forms', async () => {
    const statuses = [];
    for (const spelling of ['192.0.2.10', '192.0.2.10:5678', '::ffff:192.0.2.10', '[::FFFF:c000:20a]:443']) {
      statuses.push((await attempt(t, uniqueEmail('spelling'), 'wrong-guess', spelling)).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    const ipv6 = [];
    for (const spelling of ['2001:db8:0:0::1', '[2001:DB8::1]:8443', '2001:0db8:0000:0000:ffff::2', '[2001:db8::3%eth0]']) {
      ipv6.push((await attempt(t, uniqueEmail('spelling6'), 'wrong-guess', spelling)).status);
    }
    assert.deepEqual(ipv6, [401, 401, 401, 429], 'one /64, however it is written');
  });

  it('counts what the proxy passes on that is no address against the proxy itself', async () => {
    const statuses = [];
    for (const junk of ['192.000.002.009', 'unknown', '[not-an-address]:80']) {
      statuses.push((await attempt(t, uniqueEmail('junk'), 'wrong-guess', junk)).status);
    }
    assert.deepEqual(statuses, [401, 401, 401]);
    expectProblem(await attempt(t, uniqueEmail('direct'), 'wrong-guess'), 429, 'Too many requests, retry later');
  });

  it('records the canonical address on the session', async () => {
    const email = uniqueEmail('session');
    await t.http.post('/auth/register').send({ email, password: PASSWORD });
    const login = await attempt(t, email, PASSWORD, '[::ffff:198.51.100.30]:443');
    assert.equal(login.status, 200);
    const sessions = await t.http.get('/auth/sessions').set('Authorization', `Bearer ${login.body.access_token}`);
    assert.deepEqual(
      (sessions.body as { ip: string }[]).map((s) => s.ip),
      ['198.51.100.30'],
    );
  });
});

describe('rate-limit counters in Redis', () => {
  it('are shared through Redis, under the configured prefix', async () => {
    const prefix = `test-${randomBytes(6).toString('hex')}:`;
    const t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix });
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      const email = uniqueEmail('shared');
      await attempt(t, email, 'wrong-guess');
      const keys = await redis.keys(`${prefix}*`);
      const guessable = `${prefix}login-failures:${createHash('sha256').update(email).digest('hex')}`;
      assert.ok(!keys.includes(guessable), 'the account key is keyed, not a bare hash of the email');
      assert.ok(
        keys.some((k) => k.startsWith(`${prefix}login-failures:`)),
        `${keys}`,
      );
      assert.ok(
        keys.some((k) => k.startsWith(`${prefix}throttle:login:`)),
        `${keys}`,
      );
      assert.ok(!keys.some((k) => k.includes('@')), 'no email addresses in Redis');
    } finally {
      await redis.quit();
      await t.close();
    }
  });

  it('keeps answering while Redis is unreachable, limiting in this process (logged), and shares again once it is back', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: 6379 });
    const prefix = `test-${randomBytes(6).toString('hex')}:`;
    const redis = new Redis('redis://127.0.0.1:6379');
    const instance = await Instance.start({
      REDIS_URL: proxy.url('redis://127.0.0.1:6379'),
      REDIS_KEY_PREFIX: prefix,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      RATE_LIMIT_LOGIN_FAILURES: '3',
    });
    const store = async () =>
      ((await instance.http.get('/health/ready')).body as { info: { rateLimitStore: { store: string } } }).info.rateLimitStore.store;
    try {
      const known = await signUp(instance.http);
      assert.equal(await store(), 'redis');
      await proxy.cut();

      const during = await instance.http.post('/auth/register').send({ email: uniqueEmail('outage'), password: PASSWORD });
      assert.equal(during.status, 201, JSON.stringify(during.body));
      const target = uniqueEmail('outage-target');
      for (let i = 0; i < 3; i++) expectProblem(await attempt(instance, target, 'wrong-guess'), 401);
      const throttled = await attempt(instance, target, 'wrong-guess');
      expectProblem(throttled, 429);
      assert.ok(Number(throttled.headers['retry-after']) > 0);
      assert.equal((await attempt(instance, known.email, PASSWORD)).status, 200);
      assert.equal(await store(), 'in-process (Redis unreachable)');
      assert.match(instance.logs(), /Redis unreachable .*fall back to this process/);

      await proxy.restore();
      await until('the app reconnects to Redis', async () => (await store()) === 'redis', { ms: 15_000, every: 200 });
      expectProblem(await attempt(instance, uniqueEmail('after'), 'wrong-guess'), 401);
      assert.ok((await redis.keys(`${prefix}login-failures:*`)).length >= 1, 'counters are in Redis again');
      assert.match(instance.logs(), /Redis answers again/);
    } finally {
      assert.equal(await instance.stop(), 0);
      await proxy.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });
});
