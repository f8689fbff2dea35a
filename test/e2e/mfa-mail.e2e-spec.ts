import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { expectProblem, PASSWORD, signUp, signUpAdmin } from '../support/factories.js';
import { enableMfa, mfaToken, verify } from '../support/mfa.js';
import { appWithSmtp } from '../support/smtp.js';

/** Each change to a second factor is mailed to its owner; so is reaching the cap on wrong codes. */
describe('MFA mails', () => {
  const ctx = appWithSmtp();

  /** The subjects mailed to `email` since the last call, once the queue is drained. */
  const seen = new Map<string, number>();
  const newSubjects = async (email: string): Promise<string[]> => {
    await ctx.mail.idle();
    const mails = ctx.smtp.to(email);
    const from = seen.get(email) ?? 0;
    seen.set(email, mails.length);
    return mails.slice(from).map((m) => m.subject);
  };

  it('mails enabling, regenerating, each recovery-code use and disabling, with no secret or code in them', async () => {
    const user = await enableMfa(ctx.t.http, await signUp(ctx.t.http));
    assert.ok((await newSubjects(user.email)).some((s) => /turned on/.test(s)));
    const regenerated = await ctx.t.http.post('/auth/mfa/recovery-codes').set(user.auth).send({ code: user.app.code() });
    assert.equal(regenerated.status, 200);
    assert.deepEqual(await newSubjects(user.email), ['Auth & Todos: new recovery codes']);
    const [code, other] = regenerated.body.recovery_codes as string[];
    assert.equal((await verify(ctx.t.http, await mfaToken(ctx.t.http, user.email), code)).status, 200);
    assert.deepEqual(await newSubjects(user.email), ['Auth & Todos: a recovery code was used']);
    assert.match(ctx.smtp.to(user.email).at(-1)!.text, /9 unused codes are left/);
    const off = await ctx.t.http.post('/auth/mfa/totp/disable').set(user.auth).send({ password: PASSWORD, code: other });
    assert.equal(off.status, 204);
    assert.deepEqual((await newSubjects(user.email)).sort(), [
      'Auth & Todos: a recovery code was used',
      'Auth & Todos: two-step sign-in turned off',
    ]);
    const everything = ctx.smtp
      .to(user.email)
      .map((m) => m.text + m.html)
      .join('\n');
    for (const secret of [user.app.secret, code, other, ...user.recoveryCodes]) assert.ok(!everything.includes(secret), 'no secret mailed');
  });

  it("mails the admin's reset to the user", async () => {
    const admin = await signUpAdmin(ctx.t);
    const user = await enableMfa(ctx.t.http, await signUp(ctx.t.http));
    await newSubjects(user.email);
    assert.equal((await ctx.t.http.delete(`/admin/users/${user.id}/mfa`).set(admin.auth)).status, 204);
    assert.deepEqual(await newSubjects(user.email), ['Auth & Todos: two-step sign-in reset by an administrator']);
  });

  it('locks authenticator codes after 100 wrong codes in a row and mails the user once; a recovery code unlocks them', async () => {
    const user = await enableMfa(ctx.t.http, await signUp(ctx.t.http));
    await newSubjects(user.email);
    const regenerate = (code: string) => ctx.t.http.post('/auth/mfa/recovery-codes').set(user.auth).send({ code });
    for (let i = 0; i < 99; i += 1) expectProblem(await regenerate(user.app.wrongCode()), 401, undefined, 'invalid_mfa_code');
    assert.deepEqual(await newSubjects(user.email), [], 'no mail before the cap');
    expectProblem(await regenerate('0000-0000-0000-0000'), 401, undefined, 'invalid_mfa_code');
    assert.deepEqual(await newSubjects(user.email), ['Auth & Todos: authenticator codes locked']);
    const [{ failed_attempts }] = await ctx.t.app
      .get(DataSource)
      .query('SELECT failed_attempts FROM totp_factors WHERE user_id = $1', [user.id]);
    assert.equal(failed_attempts, 100);

    const locked = expectProblem(
      await verify(ctx.t.http, await mfaToken(ctx.t.http, user.email), user.app.code()),
      403,
      undefined,
      'mfa_locked',
    );
    assert.equal(locked.error, 'invalid_grant');
    expectProblem(await regenerate(user.app.wrongCode()), 403, undefined, 'mfa_locked');
    assert.deepEqual(await newSubjects(user.email), [], 'mailed once');
    assert.equal((await verify(ctx.t.http, await mfaToken(ctx.t.http, user.email), user.recoveryCodes[1])).status, 200);
    const [after] = await ctx.t.app.get(DataSource).query('SELECT failed_attempts FROM totp_factors WHERE user_id = $1', [user.id]);
    assert.equal(after.failed_attempts, 0, 'a success resets the count');
    // The code refused while locked was never accepted, so it is still unused.
    assert.equal((await regenerate(user.app.lastCode())).status, 200, 'codes from the app work again');
  });
});
