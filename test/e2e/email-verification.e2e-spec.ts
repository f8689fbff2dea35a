import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { expectProblem, login, PASSWORD, signUpAdmin, uniqueEmail } from '../support/factories.js';
import { appWithSmtp, tokenIn } from '../support/smtp.js';

const INVALID = 'Invalid or expired token';

describe('email verification, over SMTP', () => {
  const ctx = appWithSmtp({ PUBLIC_URL: 'https://app.example.test/' });

  const register = async (email = uniqueEmail('verify')) => {
    const res = await ctx.t.http.post('/auth/register').send({ email, password: PASSWORD });
    assert.equal(res.status, 201);
    assert.equal(res.body.email_verified, false);
    await ctx.mail.idle();
    return { id: res.body.id as number, email, auth: { Authorization: `Bearer ${await login(ctx.t.http, email)}` } };
  };
  const tokensTo = (email: string) => ctx.smtp.to(email).map((m) => tokenIn(m, 'verify-email'));
  const verify = (token: string) => ctx.t.http.post('/auth/verify-email').send({ token });

  it('mails a link at registration; the token verifies the address once, as admins see', async () => {
    const user = await register();
    const [message] = ctx.smtp.to(user.email);
    assert.ok(message.text.includes('https://app.example.test/verify-email#token='), 'no double slash after PUBLIC_URL');
    assert.match(message.text, /24 hours/);
    const [token] = tokensTo(user.email);
    assert.equal((await verify(token)).status, 204);
    assert.equal((await ctx.t.http.get('/users/me').set(user.auth)).body.email_verified, true);
    const admin = await signUpAdmin(ctx.t);
    assert.equal((await ctx.t.http.get(`/admin/users/${user.id}`).set(admin.auth)).body.email_verified, true);
    expectProblem(await verify(token), 400, INVALID);
  });

  it('keeps a verification token 24 hours, and refuses it expired', async () => {
    const user = await register();
    const [{ lifetime }] = await ctx.t.app
      .get(DataSource)
      .query<{ lifetime: string }[]>(
        `SELECT extract(epoch FROM expires_at - created_at) AS lifetime FROM account_tokens WHERE purpose = 'email_verification'`,
      );
    assert.equal(Number(lifetime), 24 * 3600);
    await ctx.t.app.get(DataSource).query(`UPDATE account_tokens SET expires_at = now() - interval '1 second'`);
    expectProblem(await verify(tokensTo(user.email)[0]), 400, INVALID);
    assert.equal((await ctx.t.http.get('/users/me').set(user.auth)).body.email_verified, false);
  });

  it('resends a fresh link to the signed-in user, voiding the previous one; nothing once verified', async () => {
    const user = await register();
    const res = await ctx.t.http.post('/auth/verify-email/resend').set(user.auth);
    assert.equal(res.status, 202);
    assert.match(res.body.message, /verification link/);
    await ctx.mail.idle();
    const [first, second] = tokensTo(user.email);
    assert.ok(second && first !== second);
    expectProblem(await verify(first), 400, INVALID);
    assert.equal((await verify(second)).status, 204);
    assert.equal((await ctx.t.http.post('/auth/verify-email/resend').set(user.auth)).status, 202);
    await ctx.mail.idle();
    assert.equal(ctx.smtp.to(user.email).length, 2, 'no link for a verified address');
    expectProblem(await ctx.t.http.post('/auth/verify-email/resend'), 401);
    expectProblem(await ctx.t.http.post('/auth/verify-email/resend').set(user.auth).send({ email: 'x@example.com' }), 415);
  });

  it('documents the routes: public but for resend, 202s with their body', async () => {
    const { paths } = (await ctx.t.http.get('/openapi.json')).body;
    for (const path of ['/auth/password-reset/request', '/auth/password-reset/confirm', '/auth/verify-email']) {
      assert.deepEqual(paths[path].post.security, [], `${path} is public`);
      assert.ok(paths[path].post.responses['400'], `${path} documents its 400`);
    }
    assert.equal(paths['/auth/verify-email/resend'].post.security, undefined, 'resend needs a bearer token');
    for (const path of ['/auth/password-reset/request', '/auth/verify-email/resend']) {
      assert.ok(paths[path].post.responses['202'].content['application/json'].schema.$ref.endsWith('/AcceptedOut'));
      assert.ok(paths[path].post.responses['429'], `${path} documents its rate limit`);
    }
  });

  it('gives malformed and unknown tokens the same 400', async () => {
    for (const token of ['', 'nope', 'a'.repeat(43), 'a'.repeat(5000)]) expectProblem(await verify(token), 400, INVALID);
    expectProblem(await ctx.t.http.post('/auth/verify-email').send({}), 422);
  });
});

describe('REQUIRE_EMAIL_VERIFICATION=true', () => {
  const ctx = appWithSmtp({ REQUIRE_EMAIL_VERIFICATION: 'true' });

  const attempt = (username: string, password: string) => ctx.t.http.post('/auth/login').type('form').send({ username, password });

  it('refuses an unverified account with 403 only after the right password, and mails a fresh link', async () => {
    const email = uniqueEmail('gate');
    assert.equal((await ctx.t.http.post('/auth/register').send({ email, password: PASSWORD })).status, 201);
    await ctx.mail.idle();
    assert.equal(ctx.smtp.to(email).length, 1);
    expectProblem(await attempt(email, 'wrong-password-1'), 401, 'Incorrect email or password');
    expectProblem(await attempt(uniqueEmail('nobody'), PASSWORD), 401, 'Incorrect email or password');
    await ctx.mail.idle();
    assert.equal(ctx.smtp.to(email).length, 1, 'a wrong password learns nothing and mails nothing');
    expectProblem(await attempt(email, PASSWORD), 403, 'Email not verified');
    await ctx.mail.idle();
    const tokens = ctx.smtp.to(email).map((m) => tokenIn(m, 'verify-email'));
    assert.equal(tokens.length, 2);
    expectProblem(await ctx.t.http.post('/auth/verify-email').send({ token: tokens[0] }), 400, INVALID);
    assert.equal((await ctx.t.http.post('/auth/verify-email').send({ token: tokens[1] })).status, 204);
    assert.equal((await attempt(email, PASSWORD)).status, 200);
  });

  it('lets a bootstrap admin in without a mail, since the operator named the address', async () => {
    const admin = await signUpAdmin(ctx.t);
    assert.equal((await ctx.t.http.get('/users/me').set(admin.auth)).body.email_verified, true);
  });
});
