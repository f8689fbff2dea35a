import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { type AuthSession, type AuthSessionOptions, createAuthSession, type SignedOutEvent } from '#api-client';
import { ChannelHub, FakeApi, MemoryStorage, settle, sharedLock } from './fake-api.js';

const BASE = 'https://api.example.test';
/** 900 s tokens, refreshed 30 s before they expire. */
const REFRESH_AT_MS = 870_000;

describe('createAuthSession', () => {
  let api: FakeApi;
  const sessions: AuthSession[] = [];

  const open = (options: Partial<AuthSessionOptions> = {}) => {
    const session = createAuthSession({ baseUrl: BASE, fetch: api.fetch, refreshTokenStorage: 'memory', ...options });
    sessions.push(session);
    return session;
  };
  const signedOutEvents = (session: AuthSession) => {
    const events: SignedOutEvent[] = [];
    session.onSignedOut((event) => events.push(event));
    return events;
  };
  const me = async (session: AuthSession) => {
    const { data, response } = await session.api.GET('/users/me');
    return { status: response.status, token: (data as { token?: string } | undefined)?.token };
  };
  const calls = (path: string) => api.requests.filter((request) => request.path === path);
  /** Two tabs of one browser: one channel, one lock, one localStorage (which keeps the refresh token). */
  const twoTabs = () => {
    const hub = new ChannelHub();
    const storage = new MemoryStorage();
    const locks = sharedLock();
    const tab = () => open({ channel: hub.channel(), storage, locks, refreshTokenStorage: 'localStorage' });
    return { hub, storage, a: tab(), b: tab() };
  };

  beforeEach(() => {
    api = new FakeApi();
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  });
  afterEach(() => {
    for (const session of sessions.splice(0)) session.close();
    mock.timers.reset();
  });

  it('signs in, sends the access token with each request, and keeps it in memory only', async () => {
    const storage = new MemoryStorage();
    const session = open({ storage });
    assert.deepEqual(await session.signIn('ada@example.com', 'right'), { status: 'signed_in' });
    assert.equal(session.signedIn, true);
    assert.deepEqual(await me(session), { status: 200, token: 'at-1' });
    assert.deepEqual(
      [...storage.items.keys()].filter((key) => !key.endsWith(':generation')),
      [],
      'no token in storage',
    );
    const refused = await open().signIn('ada@example.com', 'wrong');
    assert.equal(refused.status, 'refused');
    assert.equal(refused.status === 'refused' && refused.problem.code, 'invalid_credentials');
  });

  it('refreshes shortly before the access token expires, once per lifetime', async () => {
    const session = open();
    await session.signIn('ada@example.com', 'right');
    mock.timers.tick(REFRESH_AT_MS - 1);
    await settle();
    assert.equal(api.refreshes, 0, 'not early');
    mock.timers.tick(1);
    await settle();
    assert.equal(api.refreshes, 1);
    assert.equal(await session.accessToken(), 'at-2');
    for (let expiry = 2; expiry <= 3; expiry += 1) {
      mock.timers.tick(REFRESH_AT_MS);
      await settle();
      assert.equal(api.refreshes, expiry);
    }
    assert.deepEqual(await me(session), { status: 200, token: 'at-4' });
  });

  it('refreshes first when a request finds the token already expired (the timer did not run)', async () => {
    const session = open({ refreshLeewaySeconds: 0 });
    await session.signIn('ada@example.com', 'right');
    // The timer and the clock reach the expiry together; the request is made before the timer's refresh ends.
    mock.timers.tick(900_000);
    assert.deepEqual(await me(session), { status: 200, token: 'at-2' });
    await settle();
    assert.equal(api.refreshes, 1);
  });

  it('answers a 401 token_expired with one refresh, shared by the requests in flight, and one retry each', async () => {
    const session = open();
    await session.signIn('ada@example.com', 'right');
    api.expireAllAccessTokens = true;
    // The retries fail too (the server calls every token expired): each request is retried once only.
    const first = await Promise.all([me(session), me(session), me(session)]);
    api.expireAllAccessTokens = false;
    assert.equal(api.refreshes, 1, 'one refresh for three requests');
    assert.deepEqual(
      first.map((r) => r.status),
      [401, 401, 401],
    );
    assert.equal(calls('/users/me').length, 6, 'each request sent twice, no more');
    assert.deepEqual(await me(session), { status: 200, token: 'at-2' });
  });

  it('retries a request with the refreshed token', async () => {
    const session = open();
    await session.signIn('ada@example.com', 'right');
    // The server's clock is a minute ahead: it calls the token expired before the client plans to refresh it.
    api.clockAheadMs = 60_000;
    mock.timers.tick(REFRESH_AT_MS - 30_000);
    assert.deepEqual(await me(session), { status: 200, token: 'at-2' });
    assert.equal(api.refreshes, 1);
    assert.deepEqual(
      calls('/users/me').map((r) => r.authorization),
      ['Bearer at-1', 'Bearer at-2'],
    );
  });

  it('hands one refresh to every tab: exactly one per expiry, and each tab uses the new token', async () => {
    const { a, b } = twoTabs();
    await a.signIn('ada@example.com', 'right');
    await settle();
    assert.equal(b.signedIn, true, 'the other tab adopts the pair');
    for (let expiry = 1; expiry <= 3; expiry += 1) {
      mock.timers.tick(REFRESH_AT_MS);
      await settle();
      assert.equal(api.refreshes, expiry, `one refresh for expiry ${expiry}`);
      assert.equal(await a.accessToken(), `at-${expiry + 1}`);
      assert.equal(await b.accessToken(), `at-${expiry + 1}`);
    }
    assert.equal(api.ended, false, 'never reused a refresh token');
  });

  it("asks the other tabs for the pair when the lock arrives before the new pair's message", async () => {
    const { hub, a, b } = twoTabs();
    await a.signIn('ada@example.com', 'right');
    await settle();
    // The refreshed pair's broadcast is lost: the tab that waited for the lock must ask for it.
    let lost = 0;
    hub.drop = (message) => message.type === 'pair' && lost++ === 0;
    mock.timers.tick(REFRESH_AT_MS);
    await settle();
    assert.equal(await b.accessToken(), 'at-1', 'the tab handed the pair refreshes after the one that fetched it');
    // Its own turn, two handover timeouts (1 s each by default) later.
    mock.timers.tick(2_000);
    await settle();
    assert.equal(api.refreshes, 1);
    assert.equal(await b.accessToken(), await a.accessToken());
    assert.equal(await b.accessToken(), 'at-2');
  });

  it('signs every tab out once, with the code, when a refresh is refused', async () => {
    const { storage, a, b } = twoTabs();
    const [eventsA, eventsB] = [signedOutEvents(a), signedOutEvents(b)];
    await a.signIn('ada@example.com', 'right');
    await settle();
    api.endSession();
    mock.timers.tick(REFRESH_AT_MS);
    await settle();
    assert.deepEqual(eventsA, [{ code: 'invalid_refresh_token' }]);
    assert.deepEqual(eventsB, [{ code: 'invalid_refresh_token' }]);
    assert.equal(calls('/auth/refresh').length, 1, 'the other tab did not try again');
    assert.equal(a.signedIn || b.signedIn, false);
    assert.equal(storage.items.has(`auth-session:${BASE}:refresh_token`), false, 'the refresh token is forgotten');
  });

  it('signs out when a request finds the session ended or the account deactivated', async () => {
    const session = open();
    const events = signedOutEvents(session);
    await session.signIn('ada@example.com', 'right');
    api.endSession();
    assert.equal((await me(session)).status, 401);
    assert.deepEqual(events, [{ code: 'session_ended' }]);
    assert.equal(await session.accessToken(), undefined);
    assert.equal(calls('/auth/refresh').length, 0, 'an ended session is not refreshed');
  });

  it('signs out on the server and in every tab, and stops refreshing', async () => {
    const { storage, a, b } = twoTabs();
    const [eventsA, eventsB] = [signedOutEvents(a), signedOutEvents(b)];
    await a.signIn('ada@example.com', 'right');
    await settle();
    await b.signOut();
    await settle();
    assert.deepEqual(
      calls('/auth/logout').map((r) => r.authorization),
      ['Bearer at-1'],
    );
    assert.deepEqual(eventsA, [{ code: 'signed_out' }]);
    assert.deepEqual(eventsB, [{ code: 'signed_out' }]);
    mock.timers.tick(10 * REFRESH_AT_MS);
    await settle();
    assert.equal(calls('/auth/refresh').length, 0);
    assert.equal(storage.items.has(`auth-session:${BASE}:refresh_token`), false);
  });

  it('signs out everywhere through logout-all', async () => {
    const session = open();
    const events = signedOutEvents(session);
    await session.signIn('ada@example.com', 'right');
    await session.signOutEverywhere();
    assert.deepEqual(
      calls('/auth/logout-all').map((r) => r.authorization),
      ['Bearer at-1'],
    );
    assert.deepEqual(events, [{ code: 'signed_out' }]);
  });

  it('keeps the refresh token in the HttpOnly cookie when asked, and resumes from it after a reload', async () => {
    const storage = new MemoryStorage();
    const session = open({ refreshTokenStorage: 'cookie', storage, channel: null });
    await session.signIn('ada@example.com', 'right');
    const [login] = calls('/auth/login');
    assert.equal(new URLSearchParams(login?.body).get('refresh_token_transport'), 'cookie');
    assert.equal(login?.credentials, 'include');
    assert.equal(login?.requestedWith, 'fetch');
    assert.equal(api.cookie, 'rt-1');
    mock.timers.tick(REFRESH_AT_MS);
    await settle();
    const [refresh] = calls('/auth/refresh');
    assert.deepEqual([refresh?.body, refresh?.credentials, refresh?.requestedWith], ['{}', 'include', 'fetch']);
    // A reload: a new page with nothing but the cookie.
    const reloaded = open({ refreshTokenStorage: 'cookie', storage: new MemoryStorage(), channel: null });
    assert.equal(await reloaded.restore(), true);
    assert.deepEqual(await me(reloaded), { status: 200, token: 'at-3' });
    assert.deepEqual([...storage.items.keys()], [`auth-session:${BASE}:generation`], 'no token in storage');
    await reloaded.signOut();
    assert.equal(calls('/auth/logout').at(-1)?.credentials, 'include');
    assert.equal(api.cookie, undefined);
  });

  it('keeps the refresh token in localStorage when asked, and resumes from it', async () => {
    const storage = new MemoryStorage();
    await open({ refreshTokenStorage: 'localStorage', storage, channel: null }).signIn('ada@example.com', 'right');
    assert.equal(storage.getItem(`auth-session:${BASE}:refresh_token`), 'rt-1');
    const reloaded = open({ refreshTokenStorage: 'localStorage', storage, channel: null });
    assert.equal(await reloaded.restore(), true);
    assert.equal(storage.getItem(`auth-session:${BASE}:refresh_token`), 'rt-2');
    assert.equal(await open({ refreshTokenStorage: 'localStorage', storage: new MemoryStorage(), channel: null }).restore(), false);
  });

  it('surfaces mfa_required, then completes the sign-in with the code', async () => {
    const session = open({ refreshTokenStorage: 'cookie', channel: null, storage: null });
    await assert.rejects(session.verifyMfa('123456'), /completes a signIn/);
    assert.deepEqual(await session.signIn('mfa@example.com', 'right'), { status: 'mfa_required' });
    assert.equal(session.signedIn, false);
    const wrong = await session.verifyMfa('000000');
    assert.equal(wrong.status === 'refused' && wrong.problem.code, 'invalid_mfa_code');
    assert.deepEqual(await session.verifyMfa('123456'), { status: 'signed_in' });
    const verify = calls('/auth/mfa/verify').at(-1);
    assert.deepEqual(JSON.parse(verify?.body ?? ''), { mfa_token: 'mfa-token-1', code: '123456', refresh_token_transport: 'cookie' });
    assert.equal(verify?.requestedWith, 'fetch');
    assert.deepEqual(await me(session), { status: 200, token: 'at-1' });
  });

  it('keeps the second step open after a wrong code, and closes it when the server no longer takes the mfa_token', async () => {
    const session = open({ refreshTokenStorage: 'cookie', channel: null, storage: null });
    assert.equal(session.mfaPending, false);
    await session.signIn('mfa@example.com', 'right');
    assert.equal(session.mfaPending, true);
    const wrong = await session.verifyMfa('000000');
    assert.equal(wrong.status === 'refused' && wrong.problem.code, 'invalid_mfa_code');
    assert.equal(session.mfaPending, true, 'a wrong code: the user tries another');
    api.expireMfaToken();
    const expired = await session.verifyMfa('123456');
    assert.equal(expired.status === 'refused' && expired.problem.code, 'mfa_token_invalid');
    assert.equal(session.mfaPending, false, 'the token is gone: only the password again helps');
    await assert.rejects(session.verifyMfa('123456'), /completes a signIn/);
    assert.equal(calls('/auth/mfa/verify').length, 2, 'the dead token is not sent again');

    await session.signIn('mfa@example.com', 'right');
    assert.equal(session.mfaPending, true);
    const refused = await session.signIn('ada@example.com', 'wrong');
    assert.equal(refused.status, 'refused');
    assert.equal(session.mfaPending, false, 'a new sign-in drops the earlier second step');
    await session.signIn('mfa@example.com', 'right');
    assert.deepEqual(await session.verifyMfa('123456'), { status: 'signed_in' });
    assert.equal(session.mfaPending, false);
    assert.equal(JSON.parse(calls('/auth/mfa/verify').at(-1)?.body ?? '').mfa_token, 'mfa-token-3');
  });

  it("keeps a newer sign-in's second step when an older mfa_token's verify is refused late", async () => {
    let letVerifyThrough!: () => void;
    const verifyHeld = new Promise<void>((resolve) => (letVerifyThrough = resolve));
    let holding = true;
    const session = open({
      refreshTokenStorage: 'cookie',
      channel: null,
      storage: null,
      // The first verify reaches the server only after the user has signed in again.
      fetch: async (request) => {
        if (holding && new URL(request.url).pathname === '/auth/mfa/verify') {
          holding = false;
          await verifyHeld;
        }
        return api.fetch(request);
      },
    });
    await session.signIn('mfa@example.com', 'right');
    const late = session.verifyMfa('123456');
    await settle();
    assert.deepEqual(await session.signIn('mfa@example.com', 'right'), { status: 'mfa_required' });
    letVerifyThrough();
    const refused = await late;
    assert.equal(refused.status === 'refused' && refused.problem.code, 'mfa_token_invalid');
    assert.equal(JSON.parse(calls('/auth/mfa/verify')[0]?.body ?? '').mfa_token, 'mfa-token-1');
    assert.equal(session.mfaPending, true, "the refused token was the first sign-in's: the second one's step goes on");
    assert.deepEqual(await session.verifyMfa('123456'), { status: 'signed_in' });
    assert.equal(JSON.parse(calls('/auth/mfa/verify').at(-1)?.body ?? '').mfa_token, 'mfa-token-2');
  });

  it('ends the second step when the verify is refused for the account: deactivated, password changed, or MFA turned off meanwhile', async () => {
    const session = open({ refreshTokenStorage: 'cookie', channel: null, storage: null });
    const refusals = [
      [403, 'inactive_account'],
      [401, 'invalid_credentials'],
      [409, 'mfa_not_enabled'],
    ] as const;
    for (const [status, code] of refusals) {
      assert.deepEqual(await session.signIn('mfa@example.com', 'right'), { status: 'mfa_required' });
      api.refuseNextVerify(status, code, true);
      const refused = await session.verifyMfa('123456');
      assert.equal(refused.status === 'refused' && refused.problem.code, code);
      assert.equal(session.mfaPending, false, `${code}: only the password again can start a new step`);
      const sent = calls('/auth/mfa/verify').length;
      await assert.rejects(session.verifyMfa('123456'), /completes a signIn/);
      assert.equal(calls('/auth/mfa/verify').length, sent, `${code}: the dead token is not sent again`);
    }
    assert.equal(session.signedIn, false);
  });

  it('keeps the second step through the refusals after which the server still takes the mfa_token', async () => {
    const session = open({ refreshTokenStorage: 'cookie', channel: null, storage: null });
    await session.signIn('mfa@example.com', 'right');
    const wrong = await session.verifyMfa('000000');
    assert.equal(wrong.status === 'refused' && wrong.problem.code, 'invalid_mfa_code');
    assert.equal(session.mfaPending, true, 'a wrong code: the user tries another');
    const limits = [
      [429, 'rate_limited'],
      [403, 'mfa_locked'],
    ] as const;
    for (const [status, code] of limits) {
      api.refuseNextVerify(status, code, false);
      const refused = await session.verifyMfa('123456');
      assert.equal(refused.status === 'refused' && refused.problem.code, code);
      assert.equal(session.mfaPending, true, `${code}: the same step goes on, later or with a recovery code`);
    }
    assert.deepEqual(await session.verifyMfa('123456'), { status: 'signed_in' });
    assert.equal(JSON.parse(calls('/auth/mfa/verify').at(-1)?.body ?? '').mfa_token, 'mfa-token-1');
  });

  it('in Node: memory storage and one lock per session object by default', async () => {
    const session = createAuthSession({ baseUrl: `${BASE}/`, fetch: api.fetch });
    sessions.push(session);
    await session.signIn('ada@example.com', 'right');
    assert.equal(await session.restore(), true);
    api.expireAllAccessTokens = true;
    await Promise.all([me(session), me(session)]);
    assert.equal(api.refreshes, 1, 'one refresh at a time');
    assert.equal(calls('/auth/refresh')[0]?.body, JSON.stringify({ refresh_token: 'rt-1' }));
    assert.equal(await createAuthSession({ baseUrl: BASE, fetch: api.fetch }).restore(), false);
  });
});
