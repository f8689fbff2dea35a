import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MailService } from '../../src/mail/mail.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, PASSWORD, signUp, uniqueEmail } from '../support/factories.js';
import { parseMail } from '../support/smtp.js';

/** An app writing its mails to an outbox, and the mails written there to one address. */
function outboxApp(env: Record<string, string>) {
  const ctx = {} as { t: TestApp; mailsTo: (email: string) => Promise<number> };
  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-todos-mail-limits-'));
    ctx.t = await startTestApp({ DATA_DIR: dataDir, ...env });
    ctx.mailsTo = async (email) => {
      await ctx.t.app.get(MailService).idle();
      const outbox = join(dataDir, 'outbox');
      const files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
      const mails = await Promise.all(files.map((f) => parseMail(readFileSync(join(outbox, f)))));
      return mails.filter((mail) => mail.to === email).length;
    };
  });
  after(() => ctx.t.close());
  return ctx;
}

describe('mail limit per address, shared by every mail a request causes', () => {
  const ctx = outboxApp({ RATE_LIMIT_MAIL_PER_ACCOUNT: '3' });

  it('counts the registration mail, a resend and a reset request against one budget', async () => {
    const user = await signUp(ctx.t.http);
    assert.equal((await ctx.t.http.post('/auth/verify-email/resend').set(user.auth)).status, 202);
    assert.equal((await ctx.t.http.post('/auth/password-reset/request').send({ email: user.email })).status, 202);
    assert.equal(await ctx.mailsTo(user.email), 3);

    expectProblem(await ctx.t.http.post('/auth/verify-email/resend').set(user.auth), 429);
    expectProblem(await ctx.t.http.post('/auth/password-reset/request').send({ email: user.email }), 429);
    assert.equal(await ctx.mailsTo(user.email), 3);
  });
});

describe('mail limit per client IP, shared by every operation that mails', () => {
  const ctx = outboxApp({ RATE_LIMIT_MAIL_PER_HOUR: '2' });

  it('counts a registration, a reset request and a resend against one budget', async () => {
    const user = await signUp(ctx.t.http);
    assert.equal((await ctx.t.http.post('/auth/password-reset/request').send({ email: uniqueEmail('other') })).status, 202);
    expectProblem(await ctx.t.http.post('/auth/verify-email/resend').set(user.auth), 429);
    expectProblem(await ctx.t.http.post('/auth/register').send({ email: uniqueEmail('late'), password: user.password }), 429);
  });
});

describe('mail limit per client IP, for the reminder a refused login mails', () => {
  const ctx = outboxApp({ RATE_LIMIT_MAIL_PER_HOUR: '2', REQUIRE_EMAIL_VERIFICATION: 'true' });

  it('mails no reminder past the budget, and still refuses the login the same way', async () => {
    const emails = [uniqueEmail('unverified'), uniqueEmail('unverified')];
    for (const email of emails) assert.equal((await ctx.t.http.post('/auth/register').send({ email, password: PASSWORD })).status, 201);
    for (const email of emails) {
      for (let i = 0; i < 3; i++) {
        expectProblem(
          await ctx.t.http.post('/auth/login').type('form').send({ username: email, password: PASSWORD }),
          403,
          'Email not verified',
        );
      }
      assert.equal(await ctx.mailsTo(email), 1, 'the registration mail only');
    }
  });
});
