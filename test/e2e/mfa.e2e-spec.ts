import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, login, PASSWORD, signUp, signUpAdmin } from '../support/factories.js';
import { Authenticator, enableMfa, mfaToken, passwordGrant, verify } from '../support/mfa.js';

/** Setting MFA up, turning it off, new recovery codes and the admin's reset (the login's second step: mfa-login). */
describe('MFA settings', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());
  afterEach(() => t.reset());

  const db = () => t.app.get(DataSource);
  const me = (auth: { Authorization: string }) => t.http.get('/users/me').set(auth);

  it('sets up a pending secret with the password: base32, 160 bits, an otpauth URI, never cached; sign-in is unchanged until confirmed', async () => {
    const user = await signUp(t.http);
    expectProblem(
      await t.http.post('/auth/mfa/totp/setup').set(user.auth).send({ password: 'not-the-password' }),
      401,
      undefined,
      'invalid_current_password',
    );
    expectProblem(await t.http.post('/auth/mfa/totp/setup').send({ password: PASSWORD }), 401);
    const res = await t.http.post('/auth/mfa/totp/setup').set(user.auth).send({ password: PASSWORD });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(Object.keys(res.body).sort(), ['otpauth_uri', 'secret']);
    assert.match(res.body.secret, /^[A-Z2-7]{32}$/, '20 bytes in base32');
    const uri = new URL(res.body.otpauth_uri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(uri.searchParams.get('secret'), res.body.secret);
    assert.equal(uri.searchParams.get('issuer'), 'Auth & Todos');
    assert.ok(decodeURIComponent(uri.pathname).endsWith(user.email));
    assert.equal((await me(user.auth)).body.mfa_enabled, false);
    assert.equal((await passwordGrant(t.http, user.email)).status, 200, 'no second step before the confirmation');
  });

  it('stores the secret sealed (AES-256-GCM), never in the clear', async () => {
    const user = await signUp(t.http);
    const { body } = await t.http.post('/auth/mfa/totp/setup').set(user.auth).send({ password: PASSWORD });
    const [row] = await db().query('SELECT secret_sealed FROM totp_factors WHERE user_id = $1', [user.id]);
    const sealed = Buffer.from(row.secret_sealed as Uint8Array);
    assert.equal(sealed.length, 1 + 12 + 16 + 32, 'version, IV, tag and the 32-character secret');
    assert.equal(sealed.includes(Buffer.from(body.secret)), false);
    assert.equal(sealed.toString('latin1').toUpperCase().includes(body.secret), false);
    const again = await t.http.post('/auth/mfa/totp/setup').set(user.auth).send({ password: PASSWORD });
    const [replaced] = await db().query('SELECT secret_sealed FROM totp_factors WHERE user_id = $1', [user.id]);
    assert.notEqual(again.body.secret, body.secret, 'a new setup replaces the pending secret');
    assert.notDeepEqual(Buffer.from(replaced.secret_sealed as Uint8Array), sealed);
  });

  it('confirms with a code: MFA on, ten recovery codes shown once (stored as hashes), other sessions ended', async () => {
    const user = await signUp(t.http);
    const other = { Authorization: `Bearer ${await login(t.http, user.email)}` };
    expectProblem(
      await t.http.post('/auth/mfa/totp/confirm').set(user.auth).send({ code: '123456' }),
      409,
      undefined,
      'mfa_setup_required',
    );
    const setup = await t.http.post('/auth/mfa/totp/setup').set(user.auth).send({ password: PASSWORD });
    const app = new Authenticator(setup.body.secret);
    for (const code of [app.wrongCode(), 'not a code', '1234567']) {
      expectProblem(await t.http.post('/auth/mfa/totp/confirm').set(user.auth).send({ code }), 401, undefined, 'invalid_mfa_code');
    }
    assert.equal((await me(user.auth)).body.mfa_enabled, false);
    const res = await t.http.post('/auth/mfa/totp/confirm').set(user.auth).send({ code: app.code() });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['cache-control'], 'no-store');
    const codes = res.body.recovery_codes as string[];
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
    assert.equal((await me(user.auth)).body.mfa_enabled, true);
    expectProblem(await me(other), 401, 'Session ended');
    const rows: { code_hash: string }[] = await db().query('SELECT code_hash FROM recovery_codes WHERE user_id = $1', [user.id]);
    assert.equal(rows.length, 10);
    const stored = JSON.stringify(rows);
    for (const code of codes) assert.ok(!stored.includes(code) && !stored.includes(code.replaceAll('-', '')), 'only hashes are stored');

    expectProblem(
      await t.http.post('/auth/mfa/totp/setup').set(user.auth).send({ password: PASSWORD }),
      409,
      undefined,
      'mfa_already_enabled',
    );
    expectProblem(
      await t.http.post('/auth/mfa/totp/confirm').set(user.auth).send({ code: app.code() }),
      409,
      undefined,
      'mfa_already_enabled',
    );
  });

  it('counts the code used to confirm as used: it cannot complete a login', async () => {
    const user = await enableMfa(t.http, await signUp(t.http));
    expectProblem(await verify(t.http, await mfaToken(t.http, user.email), user.app.lastCode()), 401, undefined, 'invalid_mfa_code');
  });

  it('turns MFA off with the password and a code, and then the password alone signs in', async () => {
    const user = await enableMfa(t.http, await signUp(t.http));
    const disable = (password: string, code: string) => t.http.post('/auth/mfa/totp/disable').set(user.auth).send({ password, code });
    expectProblem(await disable('not-the-password', user.recoveryCodes[0]), 401, undefined, 'invalid_current_password');
    expectProblem(await disable(PASSWORD, user.app.wrongCode()), 401, undefined, 'invalid_mfa_code');
    expectProblem(await t.http.post('/auth/mfa/totp/disable').set(user.auth).send({ password: PASSWORD }), 422);
    const res = await disable(PASSWORD, user.app.code());
    assert.equal(res.status, 204, res.text);
    assert.equal((await me(user.auth)).body.mfa_enabled, false);
    assert.equal((await passwordGrant(t.http, user.email)).status, 200);
    for (const table of ['totp_factors', 'recovery_codes', 'mfa_challenges']) {
      const [{ count }] = await db().query(`SELECT count(*)::int AS count FROM ${table} WHERE user_id = $1`, [user.id]);
      assert.equal(count, 0, table);
    }
    expectProblem(await disable(PASSWORD, user.recoveryCodes[1]), 409, undefined, 'mfa_not_enabled');
  });

  it('turns MFA off with a recovery code in place of the app', async () => {
    const user = await enableMfa(t.http, await signUp(t.http));
    const res = await t.http
      .post('/auth/mfa/totp/disable')
      .set(user.auth)
      .send({ password: PASSWORD, code: user.recoveryCodes[3].toUpperCase() });
    assert.equal(res.status, 204, res.text);
  });

  it('makes a new set of recovery codes for a code; the old set stops working', async () => {
    const user = await enableMfa(t.http, await signUp(t.http));
    const regenerate = (code: string) => t.http.post('/auth/mfa/recovery-codes').set(user.auth).send({ code });
    expectProblem(await regenerate(user.app.wrongCode()), 401, undefined, 'invalid_mfa_code');
    const res = await regenerate(user.app.code());
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['cache-control'], 'no-store');
    const fresh = res.body.recovery_codes as string[];
    assert.equal(fresh.length, 10);
    assert.equal(fresh.filter((code) => user.recoveryCodes.includes(code)).length, 0);
    expectProblem(await verify(t.http, await mfaToken(t.http, user.email), user.recoveryCodes[0]), 401, undefined, 'invalid_mfa_code');
    assert.equal((await verify(t.http, await mfaToken(t.http, user.email), fresh[0])).status, 200);
    const plain = await signUp(t.http);
    expectProblem(
      await t.http.post('/auth/mfa/recovery-codes').set(plain.auth).send({ code: '123456' }),
      409,
      undefined,
      'mfa_not_enabled',
    );
  });

  it('lets an admin turn a user’s MFA off (lost device); others get 403, unknown users 404', async () => {
    const admin = await signUpAdmin(t);
    const user = await enableMfa(t.http, await signUp(t.http));
    const bystander = await signUp(t.http);
    const pending = await mfaToken(t.http, user.email);
    expectProblem(await t.http.delete(`/admin/users/${user.id}/mfa`).set(bystander.auth), 403, 'admin permission required');
    expectProblem(await t.http.delete(`/admin/users/${user.id}/mfa`).set(user.auth), 403, 'admin permission required');
    expectProblem(await t.http.delete(`/admin/users/${user.id}/mfa`), 401);
    expectProblem(await t.http.delete('/admin/users/999999/mfa').set(admin.auth), 404);
    assert.equal((await t.http.get(`/admin/users/${user.id}`).set(admin.auth)).body.mfa_enabled, true);
    assert.equal((await t.http.delete(`/admin/users/${user.id}/mfa`).set(admin.auth)).status, 204);
    assert.equal((await t.http.get(`/admin/users/${user.id}`).set(admin.auth)).body.mfa_enabled, false);
    expectProblem(await verify(t.http, pending, user.app.code()), 401, undefined, 'mfa_token_invalid');
    assert.equal((await passwordGrant(t.http, user.email)).status, 200);
    expectProblem(await t.http.delete(`/admin/users/${user.id}/mfa`).set(admin.auth), 409, undefined, 'mfa_not_enabled');
  });
});
