import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { MfaChallengePurgeService } from '../../src/mfa/mfa-challenge-purge.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, PASSWORD, signUp, signUpAdmin } from '../support/factories.js';
import { enableMfa, type MfaUser, mfaToken, passwordGrant, verify } from '../support/mfa.js';

/** A login with MFA on: the password grant's 403 `mfa_required`, then `POST /auth/mfa/verify`. */
describe('MFA login', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());
  afterEach(() => t.reset());

  const mfaUser = async (): Promise<MfaUser> => enableMfa(t.http, await signUp(t.http));

  it('answers a right password with 403 mfa_required and an opaque mfa_token, never cached; a wrong one with the usual 401', async () => {
    const user = await mfaUser();
    const res = await passwordGrant(t.http, user.email);
    const problem = expectProblem(res, 403, undefined, 'mfa_required');
    assert.equal(problem.error, 'invalid_grant');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.body.access_token, undefined);
    assert.match(res.body.mfa_token, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url: not a JWT');
    expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${res.body.mfa_token}`), 401);
    expectProblem(await passwordGrant(t.http, user.email, 'not-the-password'), 401, 'Incorrect email or password', 'invalid_credentials');
    const [{ count }] = await t.app.get(DataSource).query('SELECT count(*)::int AS count FROM sessions WHERE user_id = $1', [user.id]);
    assert.equal(count, 1, 'no session before the second step: only the one MFA was set up from');
  });

  it('completes the login with a TOTP code: a token pair, never cached; the mfa_token is then spent', async () => {
    const user = await mfaUser();
    const token = await mfaToken(t.http, user.email);
    const res = await verify(t.http, token, user.app.code());
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    const me = await t.http.get('/users/me').set('Authorization', `Bearer ${res.body.access_token}`);
    assert.equal(me.body.id, user.id);
    assert.equal(me.body.mfa_enabled, true);
    assert.equal((await t.http.post('/auth/refresh').send({ refresh_token: res.body.refresh_token })).status, 200);
    expectProblem(await verify(t.http, token, user.recoveryCodes[0]), 401, undefined, 'mfa_token_invalid');
  });

  it('refuses a wrong code and a replayed one, each with its own code, and the token lives on', async () => {
    const user = await mfaUser();
    const token = await mfaToken(t.http, user.email);
    const wrong = expectProblem(await verify(t.http, token, user.app.wrongCode()), 401, undefined, 'invalid_mfa_code');
    assert.equal(wrong.error, 'invalid_grant');
    const code = user.app.code();
    assert.equal((await verify(t.http, token, code)).status, 200);
    expectProblem(await verify(t.http, await mfaToken(t.http, user.email), code), 401, undefined, 'invalid_mfa_code');
  });

  it('accepts a recovery code once', async () => {
    const user = await mfaUser();
    const [code] = user.recoveryCodes;
    assert.equal((await verify(t.http, await mfaToken(t.http, user.email), ` ${code.toUpperCase()} `)).status, 200);
    expectProblem(await verify(t.http, await mfaToken(t.http, user.email), code), 401, undefined, 'invalid_mfa_code');
    const [{ used }] = await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS used FROM recovery_codes WHERE user_id = $1 AND used_at IS NOT NULL', [user.id]);
    assert.equal(used, 1);
  });

  it('lets one of two parallel verifies with the same code win, whether TOTP or recovery code', async () => {
    const user = await mfaUser();
    const [a, b] = [await mfaToken(t.http, user.email), await mfaToken(t.http, user.email)];
    const code = user.app.code();
    const statuses = (await Promise.all([verify(t.http, a, code), verify(t.http, b, code)])).map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 401]);
    const [c, d] = [await mfaToken(t.http, user.email), await mfaToken(t.http, user.email)];
    const recovery = user.recoveryCodes[5];
    const again = (await Promise.all([verify(t.http, c, recovery), verify(t.http, d, recovery)])).map((r) => r.status).sort();
    assert.deepEqual(again, [200, 401]);
    const same = await mfaToken(t.http, user.email);
    const twice = (await Promise.all([verify(t.http, same, user.recoveryCodes[6]), verify(t.http, same, user.recoveryCodes[7])])).map(
      (r) => r.status,
    );
    assert.deepEqual(twice.sort(), [200, 401], 'one mfa_token completes one login');
  });

  it('refuses an expired mfa_token, an unknown one and a malformed one alike', async () => {
    const user = await mfaUser();
    const token = await mfaToken(t.http, user.email);
    await t.app.get(DataSource).query("UPDATE mfa_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1", [user.id]);
    expectProblem(await verify(t.http, token, user.app.code()), 401, undefined, 'mfa_token_invalid');
    expectProblem(await verify(t.http, 'A'.repeat(43), user.recoveryCodes[0]), 401, undefined, 'mfa_token_invalid');
    expectProblem(await verify(t.http, 'eyJ.eyJ.sig', user.recoveryCodes[0]), 401, undefined, 'mfa_token_invalid');
    expectProblem(await t.http.post('/auth/mfa/verify').send({ mfa_token: token }), 422);
  });

  it('gives an mfa_token at most 5 attempts: then even a right code is refused', async () => {
    const user = await mfaUser();
    const token = await mfaToken(t.http, user.email);
    for (let i = 0; i < 5; i += 1) expectProblem(await verify(t.http, token, user.app.wrongCode()), 401, undefined, 'invalid_mfa_code');
    expectProblem(await verify(t.http, token, user.recoveryCodes[0]), 401, undefined, 'mfa_token_invalid');
    assert.equal((await verify(t.http, await mfaToken(t.http, user.email), user.recoveryCodes[0])).status, 200, 'the code was not spent');
  });

  it('purges expired second steps, and only those', async () => {
    const user = await mfaUser();
    await mfaToken(t.http, user.email);
    const live = await mfaToken(t.http, user.email);
    const db = t.app.get(DataSource);
    await db.query("UPDATE mfa_challenges SET expires_at = now() - interval '1 second' WHERE id = (SELECT min(id) FROM mfa_challenges)");
    assert.equal(await t.app.get(MfaChallengePurgeService).purge(), 1);
    const [{ count }] = await db.query('SELECT count(*)::int AS count FROM mfa_challenges');
    assert.equal(count, 1);
    assert.equal((await verify(t.http, live, user.app.code())).status, 200);
  });

  it('voids a pending mfa_token when the password changes', async () => {
    const user = await mfaUser();
    const token = await mfaToken(t.http, user.email);
    const changed = await t.http
      .post('/users/me/password')
      .set(user.auth)
      .send({ current_password: PASSWORD, new_password: 'amber-falcon-river-77' });
    assert.equal(changed.status, 204, changed.text);
    expectProblem(await verify(t.http, token, user.app.code()), 401, undefined, 'mfa_token_invalid');
  });
});

describe('MFA login, throttled', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ RATE_LIMIT_LOGIN_FAILURES: '3' });
  });
  after(() => t.close());
  afterEach(() => t.reset());

  it('counts wrong codes against the account like wrong passwords; a right password alone does not reset the count', async () => {
    const user = await enableMfa(t.http, await signUp(t.http));
    const first = await mfaToken(t.http, user.email); // 1: the right password, not reset
    expectProblem(await verify(t.http, first, user.app.wrongCode()), 401, undefined, 'invalid_mfa_code'); // 2
    const second = await mfaToken(t.http, user.email); // 3
    const throttled = await verify(t.http, second, user.app.wrongCode());
    expectProblem(throttled, 429, undefined, 'rate_limited');
    assert.ok(Number(throttled.headers['retry-after']) > 0);
    const audited = await t.app
      .get(DataSource)
      .query<{ details: object }[]>(`SELECT details FROM audit_events WHERE user_id = $1 AND type = 'login.throttled'`, [user.id]);
    assert.deepEqual(
      audited.map((event) => event.details),
      [{ attempts: 4, during: 'mfa' }],
    );
    expectProblem(await passwordGrant(t.http, user.email), 429, undefined, 'rate_limited');
  });

  it('refuses an account deletion past the limit at its code (429) before spending the code, and audits it', async () => {
    const user = await enableMfa(t.http, await signUp(t.http));
    const token = await mfaToken(t.http, user.email); // 1
    expectProblem(await verify(t.http, token, user.app.wrongCode()), 401); // 2
    const res = await t.http.post('/users/me/delete').set(user.auth).send({ password: PASSWORD, code: user.recoveryCodes[0] }); // 3, then 4
    expectProblem(res, 429, undefined, 'rate_limited');
    const db = t.app.get(DataSource);
    const [{ users, unused }] = await db.query(
      `SELECT (SELECT count(*) FROM users WHERE id = $1)::int AS users,
              (SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL)::int AS unused`,
      [user.id],
    );
    assert.deepEqual({ users, unused }, { users: 1, unused: user.recoveryCodes.length });
    const audited = await db.query<{ details: object }[]>(
      `SELECT details FROM audit_events WHERE user_id = $1 AND type = 'login.throttled'`,
      [user.id],
    );
    assert.deepEqual(
      audited.map((event) => event.details),
      [{ attempts: 4, during: 'mfa' }],
    );
  });

  it("keeps counting a right code whose change was refused: the last admin's deletion (409) clears nothing", async () => {
    const admin = await enableMfa(t.http, await signUpAdmin(t));
    const deleteOwn = () => t.http.post('/users/me/delete').set(admin.auth).send({ password: PASSWORD, code: admin.recoveryCodes[0] });
    expectProblem(await deleteOwn(), 409, undefined, 'last_admin'); // 1, 2
    expectProblem(await deleteOwn(), 429, undefined, 'rate_limited'); // 3, then 4
  });

  it('starts the count again after a right code', async () => {
    const user = await enableMfa(t.http, await signUp(t.http));
    const token = await mfaToken(t.http, user.email); // 1
    expectProblem(await verify(t.http, token, user.app.wrongCode()), 401); // 2
    assert.equal((await verify(t.http, token, user.app.code())).status, 200); // 3, then cleared
    const next = await mfaToken(t.http, user.email); // 1
    expectProblem(await verify(t.http, next, user.app.wrongCode()), 401); // 2
    assert.equal((await verify(t.http, next, user.recoveryCodes[0])).status, 200); // 3
  });
});
