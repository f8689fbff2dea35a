import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type supertest from 'supertest';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, PASSWORD, signUp } from '../support/factories.js';

const FRONTEND = 'http://localhost:5173';
const COOKIE = '__Secure-refresh_token';
/** What the SDK sends with every request that uses the cookie. */
const OWN_PAGE = { Origin: FRONTEND, 'X-Requested-With': 'fetch' };
const FOURTEEN_DAYS = 14 * 24 * 3600;

interface SetCookie {
  value: string;
  attributes: Map<string, string>;
}

/** The response's `Set-Cookie` for the refresh cookie, parsed; fails when there is none. */
function refreshCookieOf(res: supertest.Response): SetCookie {
  const headers = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const line = headers.find((header) => header.startsWith(`${COOKIE}=`));
  assert.ok(line, `a ${COOKIE} cookie in ${JSON.stringify(res.headers)}`);
  const [pair, ...rest] = line.split(/;\s*/);
  const attributes = new Map(rest.map((part) => [part.split('=')[0].toLowerCase(), part.split('=')[1] ?? ''] as [string, string]));
  return { value: decodeURIComponent(pair.slice(COOKIE.length + 1)), attributes };
}

describe('the refresh token as a cookie', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CORS_ORIGINS: `${FRONTEND},https://app.example.com`, REFRESH_TOKEN_REUSE_GRACE_SECONDS: '0' });
  });
  after(() => t.close());
  afterEach(() => t.reset());

  const cookieLogin = (email: string, headers: Record<string, string> = OWN_PAGE) =>
    t.http.post('/auth/login').set(headers).type('form').send({ username: email, password: PASSWORD, refresh_token_transport: 'cookie' });
  const cookieRefresh = (token: string, headers: Record<string, string> = OWN_PAGE, body: object = {}) =>
    t.http.post('/auth/refresh').set(headers).set('Cookie', `${COOKIE}=${token}`).send(body);
  const cookieLogout = (token: string, headers: Record<string, string> = OWN_PAGE) =>
    t.http.post('/auth/logout').set(headers).set('Cookie', `${COOKIE}=${token}`);
  const me = (accessToken: string) => t.http.get('/users/me').set('Authorization', `Bearer ${accessToken}`);

  /** A signed-in browser: its access token and the refresh token its cookie holds. */
  const signedInBrowser = async () => {
    const { email } = await signUp(t.http);
    const res = await cookieLogin(email);
    assert.equal(res.status, 200, res.text);
    return { email, accessToken: res.body.access_token as string, cookie: refreshCookieOf(res).value };
  };

  it('sets the cookie on a password grant that asks for it, and leaves the token out of the body', async () => {
    const { email } = await signUp(t.http);
    const res = await cookieLogin(email);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(res.headers['cache-control'], 'no-store');
    const cookie = refreshCookieOf(res);
    assert.match(cookie.value, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual([...cookie.attributes.keys()].sort(), ['httponly', 'max-age', 'path', 'samesite', 'secure']);
    assert.equal(cookie.attributes.get('path'), '/auth');
    assert.equal(cookie.attributes.get('samesite'), 'Strict');
    const maxAge = Number(cookie.attributes.get('max-age'));
    assert.ok(maxAge <= FOURTEEN_DAYS && maxAge > FOURTEEN_DAYS - 3600, `the session's lifetime, got ${maxAge}`);
    assert.equal((await me(res.body.access_token)).status, 200);
    // Without the field, nothing changes: the token in the body, no cookie.
    const plain = await t.http.post('/auth/login').type('form').send({ username: email, password: PASSWORD });
    assert.equal(typeof plain.body.refresh_token, 'string');
    assert.equal(plain.headers['set-cookie'], undefined);
  });

  it('refreshes from the cookie alone, answering with the next cookie for what is left of the session', async () => {
    const browser = await signedInBrowser();
    // Five minutes left: the next cookie must not outlive the session.
    await t.app.get(DataSource).query(`UPDATE sessions SET expires_at = now() + interval '300 seconds'`);
    const res = await cookieRefresh(browser.cookie);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'token_type']);
    const next = refreshCookieOf(res);
    assert.notEqual(next.value, browser.cookie);
    const maxAge = Number(next.attributes.get('max-age'));
    assert.ok(maxAge <= 300 && maxAge > 200, `what is left of the session, got ${maxAge}`);
    assert.equal((await me(res.body.access_token)).status, 200);
    assert.equal((await cookieRefresh(next.value)).status, 200);
  });

  it('spends the cookie once: a spent one is refused and dropped', async () => {
    const browser = await signedInBrowser();
    assert.equal((await cookieRefresh(browser.cookie)).status, 200);
    const replay = await cookieRefresh(browser.cookie);
    expectProblem(replay, 401, 'Invalid refresh token', 'invalid_refresh_token');
    assert.equal(refreshCookieOf(replay).attributes.get('max-age'), '0', 'the browser forgets it');
  });

  it('moves the token of a body refresh or a refresh grant into the cookie when asked', async () => {
    const { email } = await signUp(t.http);
    const login = await t.http.post('/auth/login').type('form').send({ username: email, password: PASSWORD });
    const viaRefresh = await t.http
      .post('/auth/refresh')
      .set(OWN_PAGE)
      .send({ refresh_token: login.body.refresh_token, refresh_token_transport: 'cookie' });
    assert.equal(viaRefresh.status, 200, viaRefresh.text);
    assert.equal(viaRefresh.body.refresh_token, undefined);
    const grant = await t.http
      .post('/auth/login')
      .set(OWN_PAGE)
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: refreshCookieOf(viaRefresh).value, refresh_token_transport: 'cookie' });
    assert.equal(grant.status, 200, grant.text);
    assert.equal(grant.body.refresh_token, undefined);
    assert.equal((await cookieRefresh(refreshCookieOf(grant).value)).status, 200);
  });

  it('never answers a token spent from the cookie in the body, and refuses an unknown transport', async () => {
    const browser = await signedInBrowser();
    const body = expectProblem(await cookieRefresh(browser.cookie, OWN_PAGE, { refresh_token_transport: 'body' }), 422);
    assert.deepEqual(
      body.errors?.map((e) => e.field),
      ['refresh_token_transport'],
    );
    assert.equal((await cookieRefresh(browser.cookie)).status, 200, 'the refused request spent nothing');
    const { email } = await signUp(t.http);
    const jar = await t.http.post('/auth/login').type('form').send({ username: email, password: PASSWORD, refresh_token_transport: 'jar' });
    assert.deepEqual(
      expectProblem(jar, 422).errors?.map((e) => [e.field, e.code]),
      [['refresh_token_transport', 'invalid_choice']],
    );
  });

  it('logs out by the cookie alone: the session ends and the cookie is dropped', async () => {
    const browser = await signedInBrowser();
    const res = await cookieLogout(browser.cookie);
    assert.equal(res.status, 204, res.text);
    assert.equal(refreshCookieOf(res).attributes.get('max-age'), '0');
    expectProblem(await me(browser.accessToken), 401, 'Session ended', 'session_ended');
    expectProblem(await cookieRefresh(browser.cookie), 401);
    assert.equal((await cookieLogout(browser.cookie)).status, 204, 'a second logout is no error');
  });

  it('drops the cookie on a logout by access token too', async () => {
    const browser = await signedInBrowser();
    const res = await t.http.post('/auth/logout').set('Authorization', `Bearer ${browser.accessToken}`);
    assert.equal(res.status, 204);
    assert.equal(refreshCookieOf(res).attributes.get('max-age'), '0');
    expectProblem(await cookieRefresh(browser.cookie), 401);
  });

  it("accepts the API's own origin as well as the listed ones", async () => {
    const browser = await signedInBrowser();
    const own = await cookieRefresh(browser.cookie, { Host: 'api.test', Origin: 'http://api.test', 'X-Requested-With': 'fetch' });
    assert.equal(own.status, 200, own.text);
    const listed = await cookieRefresh(refreshCookieOf(own).value, { Origin: 'https://app.example.com', 'X-Requested-With': 'fetch' });
    assert.equal(listed.status, 200, listed.text);
  });

  describe('refuses, with 403 csrf_refused, a request using the cookie', () => {
    const refusals: [string, Record<string, string>][] = [
      ['without an Origin', { 'X-Requested-With': 'fetch' }],
      ['from an origin not listed', { Origin: 'https://evil.example', 'X-Requested-With': 'fetch' }],
      ['from an origin that only starts like a listed one', { Origin: `${FRONTEND}.evil.example`, 'X-Requested-With': 'fetch' }],
      ['from the null origin', { Origin: 'null', 'X-Requested-With': 'fetch' }],
      ['without X-Requested-With', { Origin: FRONTEND }],
    ];
    for (const [why, headers] of refusals) {
      it(why, async () => {
        const browser = await signedInBrowser();
        expectProblem(await cookieLogin(browser.email, headers), 403, undefined, 'csrf_refused');
        const refresh = expectProblem(await cookieRefresh(browser.cookie, headers), 403, undefined, 'csrf_refused');
        assert.equal(refresh.error, 'invalid_request', "the token endpoint's OAuth error");
        expectProblem(await cookieLogout(browser.cookie, headers), 403, undefined, 'csrf_refused');
        // Nothing was spent or ended.
        assert.equal((await me(browser.accessToken)).status, 200);
        assert.equal((await cookieRefresh(browser.cookie)).status, 200);
      });
    }
  });

  it('lets CORS send credentials to the listed origins only, and allows X-Requested-With', async () => {
    const preflight = (origin: string) =>
      t.http
        .options('/auth/refresh')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,x-requested-with');
    const listed = await preflight(FRONTEND);
    assert.equal(listed.headers['access-control-allow-origin'], FRONTEND);
    assert.equal(listed.headers['access-control-allow-credentials'], 'true');
    assert.match(String(listed.headers['access-control-allow-headers']), /X-Requested-With/i);
    const stranger = await preflight('https://evil.example');
    assert.equal(stranger.headers['access-control-allow-origin'], undefined);
    assert.equal(stranger.headers['access-control-allow-credentials'], undefined);
    const simple = await t.http.get('/health/live').set('Origin', 'https://evil.example');
    assert.equal(simple.headers['access-control-allow-credentials'], undefined);
  });
});
