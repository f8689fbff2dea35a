import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MailService } from '../../src/mail/mail.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { login, PASSWORD, uniqueEmail } from '../support/factories.js';
import { parseMail, tokenIn } from '../support/smtp.js';

/** With no SMTP_URL, every message is an .eml file under DATA_DIR/outbox, which a person can open. */
describe('mail outbox (no SMTP_URL)', () => {
  let t: TestApp;
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-todos-outbox-'));
  const outbox = join(dataDir, 'outbox');
  before(async () => {
    t = await startTestApp({ DATA_DIR: dataDir });
  });
  after(() => t.close());

  const messages = async (to: string) => {
    await t.app.get(MailService).idle();
    const files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    const parsed = await Promise.all(files.map(async (f) => ({ file: f, mail: await parseMail(readFileSync(join(outbox, f))) })));
    return parsed.filter(({ mail }) => mail.to === to);
  };

  it('writes each message as a private .eml file, from which a forgotten password can be reset', async () => {
    const email = uniqueEmail('outbox');
    assert.equal((await t.http.post('/auth/register').send({ email, password: PASSWORD })).status, 201);
    assert.equal((await t.http.post('/auth/password-reset/request').send({ email })).status, 202);
    const mails = await messages(email);
    assert.equal(mails.length, 2, 'the verification link and the reset link');
    for (const { file } of mails) assert.equal(statSync(join(outbox, file)).mode & 0o777, 0o600);
    assert.equal(statSync(outbox).mode & 0o777, 0o700);
    const { file, mail: reset } = mails.find(({ mail }) => /reset/i.test(mail.subject))!;
    assert.ok(reset.text.includes('http://localhost:3000/reset-password#token='), 'links default to PUBLIC_URL http://localhost:3000');
    const token = tokenIn(reset, 'reset-password');
    const raw = readFileSync(join(outbox, file), 'utf8');
    assert.ok(raw.split(/\r?\n/).includes(token), 'the code can be copied from the file as it is, without a mail client');
    const newPassword = 'quartz-meadow-lantern-9';
    assert.equal((await t.http.post('/auth/password-reset/confirm').send({ token, new_password: newPassword })).status, 204);
    await login(t.http, email, newPassword);
    assert.equal((await messages(email)).length, 3, 'and the notice that the password changed');
  });
});
