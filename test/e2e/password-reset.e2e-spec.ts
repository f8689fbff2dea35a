import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { AccountTokensService } from '../../src/account/account-tokens.service.js';
import { MailService } from '../../src/mail/mail.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, login, PASSWORD, signUp, signUpAdmin, uniqueEmail } from '../support/factories.js';
import type supertest from 'supertest';
import { appWithSmtp, type ReceivedMail, TestSmtpServer, tokenIn } from '../support/smtp.js';

const PUBLIC_URL = 'https://app.example.test';
const NEW_PASSWORD = 'amber-falcon-river-77';
const INVALID = 'Invalid or expired token';

describe('password reset, over SMTP', () => {
  const ctx = appWithSmtp({ PUBLIC_URL, MAIL_FROM: 'Auth & Todos <no-reply@example.test>' });

  const request = (email: string) => ctx.t.http.post('/auth/password-reset/request').send({ email });
  const confirm = (token: string, new_password = NEW_PASSWORD) =>
    ctx.t.http.post('/auth/password-reset/confirm').send({ token, new_password });

  /** Asks for a reset and returns the one mail it produced. */
  const resetMail = async (email: string): Promise<ReceivedMail> => {
    // Whatever was queued before (the verification mail of a registration) is delivered first.
    await ctx.mail.idle();
    const before = ctx.smtp.to(email).length;
    assert.equal((await request(email)).status, 202);
    await ctx.mail.idle();
    const mails = ctx.smtp.to(email).slice(before);
    assert.equal(mails.length, 1, 'one mail per request');
    return mails[0];
  };
  const resetToken = async (email: string) => tokenIn(await resetMail(email), 'reset-password');

  it('mails a link under PUBLIC_URL; the token sets a new password, ends every session and mails a notice', async () => {
    const user = await signUp(ctx.t.http);
    const refresh = await ctx.t.http.post('/auth/login').type('form').send({ username: user.email, password: PASSWORD });
    const message = await resetMail(user.email);
    assert.deepEqual(message.from, { address: 'no-reply@example.test', name: 'Auth & Todos' });
    assert.match(message.subject, /reset/i);
    assert.ok(message.text.includes(`${PUBLIC_URL}/reset-password#token=`));
    assert.match(message.text, /30 minutes/);
    const token = tokenIn(message, 'reset-password');
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url, not a JWT');

    assert.equal((await confirm(token)).status, 204);
    expectProblem(await ctx.t.http.get('/users/me').set(user.auth), 401, 'Session ended');
    expectProblem(await ctx.t.http.post('/auth/refresh').send({ refresh_token: refresh.body.refresh_token }), 401);
    expectProblem(await ctx.t.http.post('/auth/login').type('form').send({ username: user.email, password: PASSWORD }), 401);
    const fresh = await login(ctx.t.http, user.email, NEW_PASSWORD);
    const me = await ctx.t.http.get('/users/me').set('Authorization', `Bearer ${fresh}`);
    assert.equal(me.body.email_verified, true, 'the link proved the mailbox');

    await ctx.mail.idle();
    const notices = ctx.smtp.to(user.email).filter((m) => /password was changed/.test(m.subject));
    assert.equal(notices.length, 1);
    assert.ok(!notices[0].text.includes(token));
  });

  it('stores only a hash of the token, valid 30 minutes, and purges it once spent or expired', async () => {
    const user = await signUp(ctx.t.http);
    const token = await resetToken(user.email);
    const rows = await ctx.t.app
      .get(DataSource)
      .query<{ token_hash: string; lifetime: string }[]>(
        `SELECT token_hash, extract(epoch FROM expires_at - created_at) AS lifetime FROM account_tokens WHERE purpose = 'password_reset'`,
      );
    assert.equal(rows.length, 1);
    assert.equal(Number(rows[0].lifetime), 30 * 60);
    assert.match(rows[0].token_hash, /^[0-9a-f]{64}$/);
    assert.ok(!rows[0].token_hash.includes(token));
    assert.equal((await confirm(token)).status, 204);
    assert.ok(ctx.t.app.get(SchedulerRegistry).getCronJob('purge-account-tokens'), 'the purge is scheduled');
    // The spent reset token and the unspent verification token of the registration (made to expire).
    await ctx.t.app
      .get(DataSource)
      .query(`UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'email_verification'`);
    assert.equal(await ctx.t.app.get(AccountTokensService).purge(), 2);
  });

  it('works once: a second use, or a parallel one, gets the generic 400', async () => {
    const user = await signUp(ctx.t.http);
    const token = await resetToken(user.email);
    const statuses = (await Promise.all([confirm(token), confirm(token, 'other-granite-lantern-5'), confirm(token)])).map((r) => r.status);
    assert.deepEqual(statuses.sort(), [204, 400, 400]);
    expectProblem(await confirm(token), 400, INVALID);
  });

  it('voids a reset link once the password is changed through /users/me/password', async () => {
    const user = await signUp(ctx.t.http);
    const token = await resetToken(user.email);
    const changed = await ctx.t.http
      .post('/users/me/password')
      .set(user.auth)
      .send({ current_password: PASSWORD, new_password: NEW_PASSWORD });
    assert.equal(changed.status, 204, changed.text);
    expectProblem(await confirm(token, 'other-granite-lantern-5'), 400, INVALID);
    await login(ctx.t.http, user.email, NEW_PASSWORD); // asserts the 200: the changed password stands
  });

  it('voids the reset and verification links of an account an admin deactivates, even once reactivated', async () => {
    const admin = await signUpAdmin(ctx.t);
    const user = await signUp(ctx.t.http);
    const token = await resetToken(user.email);
    const verification = tokenIn(ctx.smtp.to(user.email)[0], 'verify-email');
    const patch = (is_active: boolean) => ctx.t.http.patch(`/admin/users/${user.id}`).set(admin.auth).send({ is_active });
    assert.equal((await patch(false)).status, 200);
    assert.equal((await patch(true)).status, 200);
    expectProblem(await confirm(token), 400, INVALID);
    expectProblem(await ctx.t.http.post('/auth/verify-email').send({ token: verification }), 400, INVALID);
    await login(ctx.t.http, user.email, PASSWORD); // asserts the 200: the old password stands
  });

  it('voids the earlier link when a new one is asked for', async () => {
    const user = await signUp(ctx.t.http);
    const first = await resetToken(user.email);
    const second = await resetToken(user.email);
    assert.notEqual(first, second);
    expectProblem(await confirm(first), 400, INVALID);
    assert.equal((await confirm(second)).status, 204);
  });

  it('refuses an expired token', async () => {
    const user = await signUp(ctx.t.http);
    const token = await resetToken(user.email);
    await ctx.t.app
      .get(DataSource)
      .query(`UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'password_reset'`);
    expectProblem(await confirm(token), 400, INVALID);
    await login(ctx.t.http, user.email, PASSWORD);
  });

  it('gives unknown, malformed, empty and JWT tokens one 400, and changes nothing', async () => {
    const user = await signUp(ctx.t.http);
    const bodies = new Set<string>();
    for (const token of [
      randomBytes(32).toString('base64url'),
      'not-a-token',
      '',
      user.token,
      `${randomBytes(32).toString('base64url')}x`,
    ]) {
      const res = await confirm(token);
      const body = expectProblem(res, 400, INVALID);
      bodies.add(JSON.stringify({ ...body, instance: undefined }));
    }
    assert.equal(bodies.size, 1);
    expectProblem(await ctx.t.http.post('/auth/password-reset/confirm').send({ new_password: NEW_PASSWORD }), 422);
    expectProblem(await ctx.t.http.post('/auth/password-reset/confirm').send({ token: 42, new_password: NEW_PASSWORD }), 422);
    assert.equal((await ctx.t.http.get('/users/me').set(user.auth)).status, 200, 'the session lives on');
  });

  it('applies the password policy without spending the token', async () => {
    const email = uniqueEmail('policy');
    await signUp(ctx.t.http, email);
    const token = await resetToken(email);
    const weak = expectProblem(await confirm(token, 'password'), 422);
    assert.deepEqual(
      weak.errors?.map((e) => e.field),
      ['new_password'],
    );
    expectProblem(await confirm(token, 'short'), 422);
    const local = email.split('@')[0];
    const context = expectProblem(await confirm(token, `${local}-and-more-words`), 422);
    assert.match(context.errors?.[0].message ?? '', /first part of your email/);
    assert.equal((await confirm(token)).status, 204, 'the token survived the refusals');
  });

  it('answers an unknown, an inactive and a known address identically, and mails only the known one', async () => {
    const admin = await signUpAdmin(ctx.t);
    const known = await signUp(ctx.t.http);
    const inactive = await signUp(ctx.t.http);
    assert.equal((await ctx.t.http.patch(`/admin/users/${inactive.id}`).set(admin.auth).send({ is_active: false })).status, 200);
    await ctx.mail.idle();
    ctx.smtp.clear();
    const unknown = uniqueEmail('nobody');
    const answers = [];
    for (const email of [known.email, unknown, inactive.email, ` ${known.email.toUpperCase()} `]) {
      const res = await request(email);
      answers.push({ status: res.status, type: res.headers['content-type'], body: res.text, cache: res.headers['cache-control'] });
    }
    for (const answer of answers) assert.deepEqual(answer, answers[0]);
    assert.equal(answers[0].status, 202);
    assert.match(JSON.parse(answers[0].body).message, /If an active account uses this address/);
    await ctx.mail.idle();
    assert.deepEqual(
      ctx.smtp.received.map((m) => m.to),
      [known.email, known.email],
      'no mail to an unknown or inactive address',
    );
    expectProblem(await request('not-an-email'), 422);
  });

  it('keeps purposes apart: a reset token never verifies an email, and a verification token never resets', async () => {
    const email = uniqueEmail('purpose');
    await ctx.t.http.post('/auth/register').send({ email, password: PASSWORD });
    await ctx.mail.idle();
    const verification = tokenIn(ctx.smtp.to(email)[0], 'verify-email');
    const reset = await resetToken(email);
    expectProblem(await confirm(verification), 400, INVALID);
    expectProblem(await ctx.t.http.post('/auth/verify-email').send({ token: reset }), 400, INVALID);
    // Neither refusal spent anything.
    assert.equal((await ctx.t.http.post('/auth/verify-email').send({ token: verification })).status, 204);
    assert.equal((await confirm(reset)).status, 204);
  });

  it('mails the notice after a change through /users/me/password too', async () => {
    const user = await signUp(ctx.t.http);
    const res = await ctx.t.http.post('/users/me/password').set(user.auth).send({ current_password: PASSWORD, new_password: NEW_PASSWORD });
    assert.equal(res.status, 204);
    await ctx.mail.idle();
    const notices = ctx.smtp.to(user.email).filter((m) => /password was changed/.test(m.subject));
    assert.equal(notices.length, 1);
    assert.match(notices[0].text, /If this was not you/);
  });

  it('retries a message the server refuses for a while', async () => {
    const user = await signUp(ctx.t.http);
    await ctx.mail.idle();
    ctx.smtp.refuseNext(1);
    const message = await resetMail(user.email);
    assert.equal(ctx.smtp.refused.length, 1, 'the first attempt was refused');
    assert.equal(
      tokenIn(message, 'reset-password'),
      tokenIn(ctx.smtp.refused[0], 'reset-password'),
      'the same message, delivered on retry',
    );
  });
});

describe('password reset with the SMTP server down', () => {
  let t: TestApp;
  before(async () => {
    // A port nothing listens on: every delivery attempt is refused at once.
    const closed = await TestSmtpServer.start();
    const url = closed.url;
    await closed.close();
    t = await startTestApp({ SMTP_URL: url });
  });
  after(() => t.close());

  it('still answers 202, and never a 5xx, while the mail fails in the background', async () => {
    const user = await signUp(t.http);
    assert.equal((await t.http.post('/auth/password-reset/request').send({ email: user.email })).status, 202);
    assert.equal((await t.http.post('/auth/verify-email/resend').set(user.auth)).status, 202);
    // Every attempt failed and was given up on; nothing is left pending.
    await t.app.get(MailService).idle();
    await t.reset();
  });
});

/** An app with tight mail limits; the request helper counts against them. */
function withLimits(env: Record<string, string>) {
  const ctx = {} as { t: TestApp; request: (email: string) => Promise<supertest.Response> };
  before(async () => {
    ctx.t = await startTestApp(env);
    ctx.request = (email) => ctx.t.http.post('/auth/password-reset/request').send({ email });
  });
  after(() => ctx.t.close());
  afterEach(async () => {
    await ctx.t.app.get(MailService).idle();
    await ctx.t.reset();
  });
  return ctx;
}

describe('password reset limit per address', () => {
  const ctx = withLimits({ RATE_LIMIT_MAIL_PER_ACCOUNT: '2' });

  it('throttles an address, known or not, with Retry-After; other addresses go on', async () => {
    const user = await signUp(ctx.t.http);
    const unknown = uniqueEmail('nobody');
    // The registration's verification mail took one of the user's two.
    for (const [email, allowed] of [
      [user.email, 1],
      [unknown, 2],
    ] as const) {
      for (let i = 0; i < allowed; i += 1) assert.equal((await ctx.request(email)).status, 202);
      const blocked = await ctx.request(` ${email.toUpperCase()}`);
      expectProblem(blocked, 429, 'Too many requests, retry later');
      assert.ok(Number(blocked.headers['retry-after']) > 0 && Number(blocked.headers['retry-after']) <= 3600);
    }
    assert.equal((await ctx.request(uniqueEmail('other'))).status, 202);
  });
});

describe('password reset limit per client IP', () => {
  const ctx = withLimits({ RATE_LIMIT_MAIL_PER_HOUR: '5' });

  it('throttles a client, whatever the address', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await ctx.request(uniqueEmail('spray'))).status);
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429]);
  });
});
