import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import argon2 from 'argon2';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { CHEAP_PASSWORD_HASH, startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, fieldsIn, login, PASSWORD, signUp, uniqueEmail } from '../support/factories.js';
import { type LostAnswerProxy, startAppBehindLostAnswerProxy } from '../support/lost-answer-proxy.js';
import { requestFingerprint } from '../../src/idempotency/idempotency-key.js';

/** argon2id at the cost the suite configures (its default, OWASP's, is held by env.spec.ts and the hasher's spec). */
const CONFIGURED_HASH = new RegExp(
  `^\\$argon2id\\$v=19\\$m=${CHEAP_PASSWORD_HASH.PASSWORD_HASH_MEMORY_KIB},p=1,t=${CHEAP_PASSWORD_HASH.PASSWORD_HASH_PASSES}\\$`,
);

describe('auth', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());
  afterEach(() => t.reset());

  const hashOf = async (email: string): Promise<string> => {
    const [row] = await t.app.get(DataSource).query('SELECT hashed_password FROM users WHERE email = $1', [email]);
    return row.hashed_password as string;
  };

  describe('POST /auth/register', () => {
    it('creates a user, stores the email trimmed and lower-cased, and returns no secret', async () => {
      const res = await t.http.post('/auth/register').send({ email: '  Ada.Lovelace@Example.COM ', password: PASSWORD });
      assert.equal(res.status, 201);
      assert.deepEqual(Object.keys(res.body).sort(), ['created_at', 'email', 'email_verified', 'id', 'is_active', 'mfa_enabled', 'role']);
      assert.equal(res.body.email, 'ada.lovelace@example.com');
      assert.equal(res.body.role, 'user');
      assert.equal(res.body.is_active, true);
      assert.equal(res.body.email_verified, false);
      assert.ok(!Number.isNaN(Date.parse(res.body.created_at)));
      assert.doesNotMatch(res.text, /argon2|hashed|password/i);
      assert.match(await hashOf('ada.lovelace@example.com'), CONFIGURED_HASH);
    });

    it('refuses an email that is already registered in another case with 409', async () => {
      await signUp(t.http, 'grace@example.com');
      const res = await t.http.post('/auth/register').send({ email: 'GRACE@example.com ', password: 'another-fine-passphrase' });
      const body = expectProblem(res, 409, 'Email already registered', 'email_taken');
      assert.equal(body.type, 'tag:nest-auth-todos.example,2026:problems/email_taken');
      assert.equal(body.error, undefined, 'OAuth errors only on the token endpoint');
      const [{ count }] = await t.app.get(DataSource).query('SELECT count(*)::int AS count FROM users');
      assert.equal(count, 1);
    });

    it('takes a full-width address for the one it looks like: 409 at registration, the same account at login', async () => {
      const alice = await signUp(t.http, 'alice@example.com');
      const fullWidth = 'ａｌｉｃｅ@example.com';
      expectProblem(
        await t.http.post('/auth/register').send({ email: fullWidth, password: 'another-fine-passphrase' }),
        409,
        'Email already registered',
      );
      const token = await login(t.http, fullWidth, alice.password);
      assert.equal((await t.http.get('/users/me').set('Authorization', `Bearer ${token}`)).body.id, alice.id);
      const [{ count }] = await t.app.get(DataSource).query('SELECT count(*)::int AS count FROM users');
      assert.equal(count, 1);
    });

    it('refuses invisible characters and quoted local parts in an email with a 422 on the field', async () => {
      for (const email of [
        'ali\u200bce@example.com',
        'ali\u2060ce@example.com',
        'ali\u00adce@example.com',
        '"a b"@example.com',
        '"alice"@example.com',
      ]) {
        const body = expectProblem(await t.http.post('/auth/register').send({ email, password: PASSWORD }), 422);
        assert.deepEqual(fieldsIn(body), ['email'], email);
      }
      const [{ count }] = await t.app.get(DataSource).query('SELECT count(*)::int AS count FROM users');
      assert.equal(count, 0);
    });

    it('refuses mass-assigned role, is_active and unknown fields with 422 and creates nothing', async () => {
      for (const extra of [{ role: 'admin' }, { is_active: false }, { id: 99 }, { email_verified: true }]) {
        const res = await t.http.post('/auth/register').send({ email: uniqueEmail(), password: PASSWORD, ...extra });
        const body = expectProblem(res, 422, 'Validation failed', 'validation_failed');
        assert.deepEqual(fieldsIn(body), Object.keys(extra));
        assert.deepEqual(
          body.errors?.map((e) => e.code),
          ['unknown_field'],
        );
      }
      const [{ count }] = await t.app.get(DataSource).query('SELECT count(*)::int AS count FROM users');
      assert.equal(count, 0);
    });

    it('explains each password refusal in the 422', async () => {
      const cases: [string, string, RegExp][] = [
        ['x@example.com', 'short1!', /at least 8 characters/],
        ['x@example.com', 'a'.repeat(129), /at most 128 characters/],
        ['x@example.com', 'password', /most common passwords/],
        ['x@example.com', 'Iloveyou', /most common passwords/],
        ['margaret@example.com', 'xxMARGARETxx-2024', /email address/],
      ];
      for (const [email, password, why] of cases) {
        const res = await t.http.post('/auth/register').send({ email, password });
        const body = expectProblem(res, 422);
        const passwordError = body.errors?.find((e) => e.field === 'password');
        assert.ok(passwordError, `no password error for ${password}`);
        assert.match(passwordError.message, why);
        assert.equal(
          passwordError.code,
          /at least/.test(why.source) ? 'too_short' : /at most/.test(why.source) ? 'too_long' : 'weak_password',
        );
      }
    });

    it('measures length after NFKC normalisation and never trims', async () => {
      // U+FB03 (ffi ligature) becomes three letters under NFKC: 3 characters typed, 9 after.
      const res = await t.http.post('/auth/register').send({ email: uniqueEmail(), password: 'ﬃﬃﬃ' });
      assert.equal(res.status, 201, res.text);
      const spaced = await t.http.post('/auth/register').send({ email: uniqueEmail(), password: '  sevn7  ' });
      assert.equal(spaced.status, 201, 'surrounding spaces count as characters');
    });

    it('allows a short local part inside the password (only 4+ characters are checked)', async () => {
      const res = await t.http.post('/auth/register').send({ email: 'bob@example.com', password: 'bob-likes-tea-42' });
      assert.equal(res.status, 201, res.text);
    });

    it('validates the email and the types', async () => {
      for (const body of [
        { email: 'not-an-email', password: PASSWORD },
        { email: `${'a'.repeat(250)}@example.com`, password: PASSWORD },
        { email: 42, password: PASSWORD },
        { email: uniqueEmail(), password: 12345678 },
        { password: PASSWORD },
        [],
      ]) {
        expectProblem(await t.http.post('/auth/register').send(body), 422);
      }
    });

    it('answers malformed JSON with 400 and an oversized body with 413', async () => {
      const bad = await t.http.post('/auth/register').set('Content-Type', 'application/json').send('{"email": ');
      expectProblem(bad, 400, undefined, 'malformed_request');
      const huge = await t.http.post('/auth/register').send({ email: uniqueEmail(), password: 'x'.repeat(200 * 1024) });
      expectProblem(huge, 413, undefined, 'payload_too_large');
    });

    it('answers JSON nested deeper than 32 levels with 400, before any validation', async () => {
      const deep = `{"email":"deep@example.com","password":"violet-kettle-harbour","x":${'['.repeat(3000)}${']'.repeat(3000)}}`;
      expectProblem(await t.http.post('/auth/register').set('Content-Type', 'application/json').send(deep), 400, /nested deeper/);
      const [{ count }] = await t.app.get(DataSource).query('SELECT count(*)::int AS count FROM users');
      assert.equal(count, 0);
    });

    it('refuses NUL characters, lone surrogates and prototype keys as field errors', async () => {
      const cases: [string, string][] = [
        [JSON.stringify({ email: 'nul\u0000@example.com', password: PASSWORD }), 'email'],
        [JSON.stringify({ email: uniqueEmail(), password: 'lone\ud800-surrogate' }), 'password'],
        [`{"email":"${uniqueEmail()}","password":"${PASSWORD}","constructor":"x"}`, 'constructor'],
        [`{"email":"${uniqueEmail()}","password":"${PASSWORD}","toString":"x"}`, 'toString'],
      ];
      for (const [body, field] of cases) {
        const res = await t.http.post('/auth/register').set('Content-Type', 'application/json').send(body);
        assert.deepEqual(fieldsIn(expectProblem(res, 422)), [field], body);
      }
      const proto = await t.http.post('/auth/register').set('Content-Type', 'application/json').send(`{"__proto__":{"role":"admin"}}`);
      expectProblem(proto, 400);
    });

    it('answers a body that is neither JSON nor a form with 415', async () => {
      for (const type of ['text/plain', 'application/xml']) {
        const res = await t.http.post('/auth/register').set('Content-Type', type).send('email=a@example.com');
        expectProblem(res, 415, undefined, 'unsupported_media_type');
      }
    });
  });

  describe('POST /auth/login', () => {
    it('issues a bearer token with the claims the contract names, and no-store', async () => {
      const user = await signUp(t.http);
      const res = await t.http
        .post('/auth/login')
        .type('form')
        .send({ grant_type: 'password', username: user.email, password: PASSWORD, scope: '' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.body.token_type, 'bearer');
      assert.equal(res.body.expires_in, 900);
      const decoded = jwt.verify(res.body.access_token, t.jwtSecret, { complete: true, algorithms: ['HS256'] });
      assert.equal(decoded.header.typ, 'at+jwt');
      const claims = decoded.payload as jwt.JwtPayload;
      assert.equal(claims.sub, String(user.id));
      assert.equal(claims.iss, 'nest-auth-todos');
      assert.equal(claims.aud, 'nest-auth-todos-api');
      assert.equal(claims.exp! - claims.iat!, 900);
      assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
      assert.deepEqual(Object.keys(claims).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub']);
      assert.ok(Number.isInteger(claims.sid) && claims.sid > 0);
      assert.match(res.body.refresh_token, /^[A-Za-z0-9_-]{43}$/);
    });

    it('accepts the email in any case and with surrounding spaces', async () => {
      const user = await signUp(t.http, 'mixed@example.com');
      const res = await t.http.post('/auth/login').type('form').send({ username: '  MIXED@Example.com', password: user.password });
      assert.equal(res.status, 200);
    });

    it('gives the same 401 for an unknown email and a wrong password', async () => {
      const user = await signUp(t.http);
      const wrong = await t.http.post('/auth/login').type('form').send({ username: user.email, password: 'not-the-password' });
      const unknown = await t.http.post('/auth/login').type('form').send({ username: 'nobody@example.com', password: 'not-the-password' });
      const body = expectProblem(wrong, 401, 'Incorrect email or password', 'invalid_credentials');
      expectProblem(unknown, 401, 'Incorrect email or password');
      assert.deepEqual(wrong.body, unknown.body);
      assert.equal(body.type, 'tag:nest-auth-todos.example,2026:problems/invalid_credentials');
      assert.equal(body.error, 'invalid_grant');
      assert.equal(wrong.headers['www-authenticate'], 'Bearer', 'no token was sent');
    });

    it('says "Inactive account" only after the correct password', async () => {
      const user = await signUp(t.http);
      await t.app.get(DataSource).query('UPDATE users SET is_active = false WHERE id = $1', [user.id]);
      const right = await t.http.post('/auth/login').type('form').send({ username: user.email, password: PASSWORD });
      assert.equal(expectProblem(right, 403, 'Inactive account', 'inactive_account').error, 'invalid_grant');
      const wrong = await t.http.post('/auth/login').type('form').send({ username: user.email, password: 'not-the-password' });
      expectProblem(wrong, 401, 'Incorrect email or password');
    });

    it('verifies passwords in NFKC form', async () => {
      const email = uniqueEmail();
      await signUp(t.http, email, 'café-au-lait-7'); // precomposed é
      const res = await t.http.post('/auth/login').type('form').send({ username: email, password: 'cafe\u0301-au-lait-7' });
      assert.equal(res.status, 200, 'decomposed é is the same password after NFKC');
    });

    it('names missing or malformed form fields in a 422', async () => {
      const missing = expectProblem(await t.http.post('/auth/login').type('form').send({ username: 'a@example.com' }), 422);
      assert.deepEqual(fieldsIn(missing), ['password']);
      assert.deepEqual(
        missing.errors?.map((e) => e.code),
        ['required'],
      );
      assert.equal(missing.error, 'invalid_request');
      const grant = expectProblem(
        await t.http.post('/auth/login').type('form').send({ grant_type: 'client_credentials', username: 'a@example.com', password: 'x' }),
        422,
      );
      assert.deepEqual(fieldsIn(grant), ['grant_type']);
      assert.equal(grant.code, 'validation_failed');
      assert.equal(grant.error, 'unsupported_grant_type');
      assert.deepEqual(
        grant.errors?.map((e) => e.code),
        ['invalid_choice'],
      );
      const extra = expectProblem(await t.http.post('/auth/login').type('form').send({ username: 'a', password: 'b', role: 'admin' }), 422);
      assert.deepEqual(fieldsIn(extra), ['role']);
    });

    it("carries RFC 6749's error beside code on every problem of the token endpoint, the refresh grant's and /auth/refresh's too", async () => {
      const refreshGrant = await t.http
        .post('/auth/login')
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: 'not-a-token' });
      assert.equal(expectProblem(refreshGrant, 401, 'Invalid refresh token', 'invalid_refresh_token').error, 'invalid_grant');
      const refresh = await t.http.post('/auth/refresh').send({ refresh_token: 'not-a-token' });
      assert.equal(expectProblem(refresh, 401, 'Invalid refresh token', 'invalid_refresh_token').error, 'invalid_grant');
      const missing = await t.http.post('/auth/refresh').send({});
      assert.equal(expectProblem(missing, 422, 'Validation failed', 'validation_failed').error, 'invalid_request');
      const malformed = await t.http.post('/auth/refresh').set('Content-Type', 'application/json').send('{"refresh_token": ');
      assert.equal(expectProblem(malformed, 400, undefined, 'malformed_request').error, 'invalid_request');
      const json = await t.http.post('/auth/login').send({ username: 'a@example.com', password: PASSWORD });
      assert.equal(expectProblem(json, 415, undefined, 'unsupported_media_type').error, 'invalid_request');
    });

    it('upgrades a hash made with other parameters on a successful login', async () => {
      const user = await signUp(t.http);
      const weaker = await argon2.hash(PASSWORD, { type: argon2.argon2i, memoryCost: 8192, timeCost: 1, parallelism: 1 });
      await t.app.get(DataSource).query('UPDATE users SET hashed_password = $1 WHERE id = $2', [weaker, user.id]);
      await login(t.http, user.email);
      assert.match(await hashOf(user.email), CONFIGURED_HASH);
    });
  });

  describe('bearer tokens', () => {
    const sign = (payload: object, secret: string, options: jwt.SignOptions = {}) =>
      jwt.sign(payload, secret, {
        algorithm: 'HS256',
        issuer: 'nest-auth-todos',
        audience: 'nest-auth-todos-api',
        expiresIn: 600,
        ...options,
      });

    it('opens /users/me with a valid token', async () => {
      const user = await signUp(t.http);
      const res = await t.http.get('/users/me').set(user.auth);
      assert.equal(res.status, 200);
      assert.equal(res.body.email, user.email);
    });

    it('refuses a missing, malformed or foreign token with 401 and WWW-Authenticate', async () => {
      const user = await signUp(t.http);
      const none = await t.http.get('/users/me');
      expectProblem(none, 401, 'Not authenticated', 'authentication_required');
      assert.equal(none.headers['www-authenticate'], 'Bearer', 'no token sent: a bare challenge');
      const cases = [
        'Bearer not-a-jwt',
        `Bearer ${user.token}x`,
        `Bearer ${sign({ sub: String(user.id) }, 'another-secret-that-is-long-enough-to-be-valid!!')}`,
        `Bearer ${sign({ sub: String(user.id) }, t.jwtSecret, { expiresIn: -60 })}`,
        `Bearer ${sign({ sub: String(user.id) }, t.jwtSecret, { issuer: 'someone-else' })}`,
        `Bearer ${sign({ sub: String(user.id) }, t.jwtSecret, { audience: 'another-api' })}`,
        `Bearer ${sign({ sub: String(user.id) }, t.jwtSecret, { algorithm: 'HS512' })}`,
        `Bearer ${jwt.sign({ sub: String(user.id), iss: 'nest-auth-todos', aud: 'nest-auth-todos-api' }, t.jwtSecret, { algorithm: 'HS256' })}`,
        `Bearer ${jwt.sign({ sub: String(user.id), iss: 'nest-auth-todos', aud: 'nest-auth-todos-api', exp: Math.floor(Date.now() / 1000) + 600 }, '', { algorithm: 'none' })}`,
        `Bearer ${sign({ sub: 'abc' }, t.jwtSecret)}`,
        `Bearer ${sign({ sub: '1e0' }, t.jwtSecret)}`,
        `Bearer ${sign({ sub: '99999' }, t.jwtSecret)}`,
        `Bearer ${sign({ sub: '99999999999999' }, t.jwtSecret)}`,
        `Basic ${Buffer.from(`${user.email}:${PASSWORD}`).toString('base64')}`,
      ];
      for (const authorization of cases) {
        const res = await t.http.get('/users/me').set('Authorization', authorization);
        const body = expectProblem(res, 401);
        assert.ok(['Not authenticated', 'Invalid token', 'Token expired'].includes(res.body.detail), authorization);
        // Basic credentials are no bearer token: nothing was refused, the challenge stays bare.
        const refused = authorization.startsWith('Bearer ');
        assert.equal(body.code === 'authentication_required', !refused, authorization);
        assert.equal(res.headers['www-authenticate'], refused ? 'Bearer error="invalid_token"' : 'Bearer', authorization);
      }
    });

    it('says "Token expired" for an expired token', async () => {
      const user = await signUp(t.http);
      const { sid } = jwt.decode(user.token) as { sid: number };
      // Ours in every other respect, so only the expiry can refuse it.
      const expired = sign({ sub: String(user.id), jti: 'a-jti', sid }, t.jwtSecret, {
        expiresIn: -60,
        header: { alg: 'HS256', typ: 'at+jwt' },
      });
      const res = await t.http.get('/users/me').set('Authorization', `Bearer ${expired}`);
      expectProblem(res, 401, 'Token expired', 'token_expired');
      assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
    });

    it('refuses a correctly signed token that is not an access token of ours', async () => {
      const user = await signUp(t.http);
      const { sid } = jwt.decode(user.token) as { sid: number };
      const claims = { sub: String(user.id), jti: 'a-jti', sid };
      const untyped = sign(claims, t.jwtSecret); // typ: JWT, as any other HS256 token would have
      expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${untyped}`), 401, 'Invalid token');
      const noTyp = sign(claims, t.jwtSecret, { header: { alg: 'HS256', typ: undefined } });
      expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${noTyp}`), 401, 'Invalid token');
      const noJti = sign({ sub: String(user.id), sid }, t.jwtSecret, { header: { alg: 'HS256', typ: 'at+jwt' } });
      expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${noJti}`), 401, 'Invalid token');
      const noSid = sign({ sub: String(user.id), jti: 'a-jti' }, t.jwtSecret, { header: { alg: 'HS256', typ: 'at+jwt' } });
      expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${noSid}`), 401, 'Invalid token');
      const otherSession = sign({ ...claims, sid: sid + 1000 }, t.jwtSecret, { header: { alg: 'HS256', typ: 'at+jwt' } });
      expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${otherSession}`), 401, 'Session ended', 'session_ended');
      const ours = sign(claims, t.jwtSecret, { header: { alg: 'HS256', typ: 'at+jwt' } });
      assert.equal((await t.http.get('/users/me').set('Authorization', `Bearer ${ours}`)).status, 200);
    });

    it('refuses a deactivated user on the next request with 403 and a deleted one with 401', async () => {
      const user = await signUp(t.http);
      const db = t.app.get(DataSource);
      await db.query('UPDATE users SET is_active = false WHERE id = $1', [user.id]);
      const inactive = expectProblem(await t.http.get('/users/me').set(user.auth), 403, 'Inactive account', 'inactive_account');
      assert.equal(inactive.error, undefined, 'OAuth errors only on the token endpoint');
      await db.query('DELETE FROM users WHERE id = $1', [user.id]);
      expectProblem(await t.http.get('/users/me').set(user.auth), 401, 'Invalid token', 'invalid_token');
    });
  });
});

describe('registration with an Idempotency-Key', () => {
  let t: TestApp;
  let proxy: LostAnswerProxy;
  let close: () => Promise<void>;
  before(async () => ({ t, proxy, close } = await startAppBehindLostAnswerProxy()));
  after(() => close());
  afterEach(() => t.reset());

  const register = (key: string, body: object) => t.http.post('/auth/register').set('Idempotency-Key', key).send(body);
  const usersNamed = (email: string) => t.app.get(DataSource).query<{ id: number }[]>('SELECT id FROM users WHERE email = $1', [email]);
  const verificationTokenOf = async (userId: number) =>
    (await t.app.get(DataSource).query<{ token_hash: string }[]>('SELECT token_hash FROM account_tokens WHERE user_id = $1', [userId]))[0]
      ?.token_hash;

  it('creates the account once when its answer was lost and the same request is retried', async () => {
    const email = uniqueEmail();
    const lost = fetch(`${proxy.url}/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'signup-1' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    await assert.rejects(lost, 'the proxy loses the answer');
    const [user] = await usersNamed(email);
    const link = await verificationTokenOf(user.id);
    assert.ok(link, 'the first request mailed its link');
    const retry = await register('signup-1', { email, password: PASSWORD });
    assert.equal(retry.status, 201, retry.text);
    assert.equal(retry.body.id, user.id);
    assert.deepEqual(await proxy.lastAnswer(), { status: 201, body: retry.body }, 'the retry gets the answer that was lost');
    assert.equal(retry.body.email, email);
    assert.deepEqual(await usersNamed(email), [user]);
    assert.equal(await verificationTokenOf(user.id), link, 'the replay mails no second link');
  });

  it('replays an answer only to the very same body: another password or email is another request', async () => {
    const email = uniqueEmail();
    const first = await register('shared', { email, password: PASSWORD });
    assert.equal(first.status, 201);
    expectProblem(await register('shared', { email, password: 'another-fine-passphrase' }), 409, 'Email already registered');
    const other = await register('shared', { email: uniqueEmail(), password: PASSWORD });
    assert.equal(other.status, 201);
    assert.notEqual(other.body.id, first.body.id);
    assert.equal((await register('shared', { email, password: PASSWORD })).text, first.text);
  });

  it('stores no unkeyed hash of the body, which holds the password', async () => {
    const email = uniqueEmail();
    assert.equal((await register('keyed', { email, password: PASSWORD })).status, 201);
    const rows = await t.app.get(DataSource).query<{ fingerprint: string }[]>('SELECT fingerprint FROM idempotency_keys');
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0].fingerprint, requestFingerprint('POST', '/auth/register', { email, password: PASSWORD }));
    assert.match(rows[0].fingerprint, /^[0-9a-f]{64}$/);
  });

  it('refuses a malformed key with 422 and creates no account', async () => {
    const email = uniqueEmail();
    const problem = expectProblem(await register('x'.repeat(256), { email, password: PASSWORD }), 422);
    assert.deepEqual(fieldsIn(problem), ['Idempotency-Key']);
    assert.deepEqual(await usersNamed(email), []);
  });

  it('documents the header on POST /auth/register', async () => {
    const operation = (await t.http.get('/openapi.json')).body.paths['/auth/register'].post;
    assert.equal(operation.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key')?.in, 'header');
    assert.equal(operation.responses['409'].content['application/problem+json'].example.detail, 'Email already registered');
  });
});

describe('PASSWORD_MIN_LENGTH', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ PASSWORD_MIN_LENGTH: '12' });
  });
  after(() => t.close());
  afterEach(() => t.reset());

  const refusedAsShort = (res: Awaited<ReturnType<typeof t.http.post>>, field: string) => {
    const body = expectProblem(res, 422);
    assert.deepEqual(body.errors, [{ field, message: `${field} must be at least 12 characters`, code: 'too_short' }]);
  };

  it('is the shortest password accepted wherever one is set', async () => {
    refusedAsShort(await t.http.post('/auth/register').send({ email: uniqueEmail(), password: 'kq7#vz2m-tu' }), 'password');
    const user = await signUp(t.http, uniqueEmail(), 'kq7#vz2m-tul');
    const change = (newPassword: string) =>
      t.http.post('/users/me/password').set(user.auth).send({ current_password: user.password, new_password: newPassword });
    refusedAsShort(await change('amber-falco'), 'new_password');
    assert.equal((await change('amber-falcon')).status, 204);
    refusedAsShort(
      await t.http.post('/auth/password-reset/confirm').send({ token: 'x'.repeat(43), new_password: 'amber-falco' }),
      'new_password',
    );
  });
});

describe('the default password hash cost', () => {
  let t: TestApp;
  before(async () => {
    // Unset, as in production: the suite's cheap cost is not in play.
    t = await startTestApp({ PASSWORD_HASH_MEMORY_KIB: '', PASSWORD_HASH_PASSES: '' });
  });
  after(() => t.close());

  it('is OWASP’s argon2id at 19 MiB and two passes, and logs in with it', async () => {
    const user = await signUp(t.http);
    const [{ hash }] = await t.app
      .get(DataSource)
      .query<{ hash: string }[]>('SELECT hashed_password AS hash FROM users WHERE id = $1', [user.id]);
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    await login(t.http, user.email);
  });
});
