import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, fieldsIn, PASSWORD, signUp, signUpAdmin } from '../support/factories.js';
import { Authenticator, enableMfa, mfaToken, verify } from '../support/mfa.js';

/**
 * The second factor in the audit trail: each change recorded with its actor, sign-ins saying a
 * code completed them, refused codes counted; then every event row scanned for each secret,
 * code, token and password the test handled.
 */
describe('MFA in the audit trail', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());
  afterEach(() => t.reset());

  const events = (userId: number) =>
    t.app
      .get(DataSource)
      .query<{ type: string; actor_id: number | null; details: Record<string, unknown> }[]>(
        'SELECT type, actor_id, details FROM audit_events WHERE user_id = $1 ORDER BY id',
        [userId],
      );

  it('audits turning MFA on and off, sign-ins with a code, refused and recovery codes, and the admin reset, with no secret in any event', async () => {
    const secrets = [PASSWORD];
    const kept = (value: string) => (secrets.push(value), value);

    const ada = await signUp(t.http);
    kept(ada.token);
    const setup = await t.http.post('/auth/mfa/totp/setup').set(ada.auth).send({ password: PASSWORD });
    const app = new Authenticator(kept(setup.body.secret as string));
    kept(setup.body.otpauth_uri as string);
    const confirmed = await t.http
      .post('/auth/mfa/totp/confirm')
      .set(ada.auth)
      .send({ code: kept(app.code()) });
    assert.equal(confirmed.status, 200, confirmed.text);
    const codes = (confirmed.body.recovery_codes as string[]).map(kept);

    const first = kept(await mfaToken(t.http, ada.email));
    expectProblem(await verify(t.http, first, kept(app.wrongCode())), 401, undefined, 'invalid_mfa_code');
    const byTotp = await verify(t.http, first, kept(app.code()));
    assert.equal(byTotp.status, 200, byTotp.text);
    const byRecovery = await verify(t.http, kept(await mfaToken(t.http, ada.email)), codes[0]);
    assert.equal(byRecovery.status, 200, byRecovery.text);
    for (const pair of [byTotp.body, byRecovery.body]) [pair.access_token, pair.refresh_token].forEach(kept);
    const auth = { Authorization: `Bearer ${byRecovery.body.access_token}` };

    const regenerated = await t.http.post('/auth/mfa/recovery-codes').set(auth).send({ code: codes[1] });
    assert.equal(regenerated.status, 200, regenerated.text);
    const fresh = (regenerated.body.recovery_codes as string[]).map(kept);
    const off = await t.http.post('/auth/mfa/totp/disable').set(auth).send({ password: PASSWORD, code: fresh[0] });
    assert.equal(off.status, 204, off.text);

    const admin = await signUpAdmin(t);
    const bob = await enableMfa(t.http, await signUp(t.http));
    [bob.token, bob.app.secret, ...bob.recoveryCodes].forEach(kept);
    assert.equal((await t.http.delete(`/admin/users/${bob.id}/mfa`).set(admin.auth)).status, 204);

    const carl = await enableMfa(t.http, await signUp(t.http));
    [carl.token, carl.app.secret, ...carl.recoveryCodes].forEach(kept);
    const noCode = expectProblem(await t.http.post('/users/me/delete').set(carl.auth).send({ password: PASSWORD }), 422);
    assert.deepEqual(fieldsIn(noCode), ['code']);
    expectProblem(
      await t.http
        .post('/users/me/delete')
        .set(carl.auth)
        .send({ password: PASSWORD, code: kept(carl.app.wrongCode()) }),
      401,
      undefined,
      'invalid_mfa_code',
    );
    assert.equal((await t.http.get('/users/me').set(carl.auth)).status, 200, 'a wrong code deletes nothing');
    const deleted = await t.http.post('/users/me/delete').set(carl.auth).send({ password: PASSWORD, code: carl.recoveryCodes[0] });
    assert.equal(deleted.status, 204, deleted.text);

    const ownActs = (await events(ada.id)).map((e) => [e.type, e.actor_id, e.details.reason ?? e.details.mfa ?? null]);
    assert.deepEqual(ownActs, [
      ['login.succeeded', null, false],
      ['mfa.enabled', ada.id, null],
      ['mfa.code_failed', null, 'wrong_totp'],
      ['login.succeeded', null, true],
      ['mfa.recovery_code_used', ada.id, null],
      ['login.succeeded', null, true],
      ['mfa.recovery_code_used', ada.id, null],
      ['mfa.recovery_codes_regenerated', ada.id, null],
      ['mfa.recovery_code_used', ada.id, null],
      ['mfa.disabled', ada.id, null],
    ]);
    const bobs = await events(bob.id);
    assert.deepEqual(
      bobs.filter((e) => e.type.startsWith('mfa.') || e.type.startsWith('admin.')).map((e) => [e.type, e.actor_id]),
      [
        ['mfa.enabled', bob.id],
        ['admin.mfa_reset', admin.id],
      ],
    );
    assert.deepEqual(
      (await events(carl.id)).slice(-4).map((e) => [e.type, e.details.reason ?? null]),
      [
        ['mfa.enabled', null],
        ['mfa.code_failed', 'wrong_totp'],
        ['mfa.recovery_code_used', null],
        ['account.deleted', null],
      ],
      'the refused code and the spent recovery code are kept with the deletion',
    );

    const rows = await t.app.get(DataSource).query<{ json: string }[]>('SELECT row_to_json(e)::text AS json FROM audit_events e');
    for (const row of rows) for (const secret of secrets) assert.ok(!row.json.includes(secret), `event ${row.json} holds ${secret}`);
  });
});
