import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RETRY_DELAYS_MS } from '../../src/mail/mail.service.js';
import { PASSWORD, uniqueEmail } from '../support/factories.js';
import { TestSmtpServer, tokenIn } from '../support/smtp.js';
import { until } from '../support/until.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/**
 * The server as a process, its logs read from stdout, with an SMTP server that reads every
 * message and then refuses it: the requests still succeed, each failure is logged after the
 * retries, and no log line carries a token, a link or the recipient's address.
 */
describe('mail failures in the logs', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await TestSmtpServer.start();
    smtp.refuseNext(1_000);
  });
  after(() => smtp.close());

  it('answers 202, retries, then logs the failure without the token', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-todos-mail-'));
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        JWT_SECRET: randomBytes(48).toString('base64url'),
        SMTP_URL: smtp.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const email = uniqueEmail('maillog');
    const failures = () =>
      output
        .split('\n')
        .filter((line) => line.includes('"event":"mail_failed"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    try {
      const base = `http://127.0.0.1:${port}`;
      const within = { ms: 60_000 };
      await until(
        () => `start-up:\n${output}`,
        () =>
          fetch(`${base}/health/ready`).then(
            (r) => r.ok,
            () => false,
          ),
        within,
      );
      const json = { 'content-type': 'application/json' };
      const register = await fetch(`${base}/auth/register`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      assert.equal(register.status, 201);
      const reset = await fetch(`${base}/auth/password-reset/request`, { method: 'POST', headers: json, body: JSON.stringify({ email }) });
      assert.equal(reset.status, 202);
      await until(
        () => `both mails failing:\n${output}`,
        () => failures().length === 2,
        within,
      );
    } finally {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    }

    const attempts = RETRY_DELAYS_MS.length + 1;
    assert.equal(smtp.refused.length, 2 * attempts, 'every attempt reached the server and was refused');
    const tokens = new Set([
      ...smtp.refused.filter((m) => /reset/i.test(m.subject)).map((m) => tokenIn(m, 'reset-password')),
      ...smtp.refused.filter((m) => /confirm/i.test(m.subject)).map((m) => tokenIn(m, 'verify-email')),
    ]);
    assert.equal(tokens.size, 2, 'one token per message, the same on every attempt');
    assert.deepEqual(
      failures()
        .map((f) => [f.kind, f.attempt, f.responseCode])
        .sort(),
      [
        ['email_verification', attempts, 451],
        ['password_reset', attempts, 451],
      ],
    );
    for (const failure of failures()) {
      assert.ok(Number.isInteger(failure.userId));
      assert.match(String(failure.error), /Mailbox <\[redacted\]> busy/);
    }
    assert.equal(output.split('\n').filter((line) => line.includes('"event":"mail_retry"')).length, 2 * (attempts - 1));
    for (const secret of [...tokens, email, '#token=']) {
      assert.ok(!output.includes(secret), `the logs contain ${secret}`);
    }
  });
});
