import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Instance } from '../support/instance.js';
import { until } from '../support/until.js';
import { uniqueEmail } from '../support/factories.js';

describe('server process', () => {
  it('is only trusted by the test harness once it announces its own address: a stranger on its port never answers for it', async () => {
    // Another process already on the port, answering every health check. The harness used to pick
    // a port, let it go, and poll it, so a parallel file's server bound there in between stood in
    // for this one (and the one under test was killed mid start-up, ending on SIGTERM).
    const stranger = createServer((_, res) => res.end('{}')).listen(0, '127.0.0.1');
    await once(stranger, 'listening');
    const { port } = stranger.address() as { port: number };
    try {
      await assert.rejects(
        Instance.start({ PORT: String(port), JWT_SECRET: randomBytes(48).toString('base64url') }),
        /exited with 1 before it was ready[\s\S]*EADDRINUSE/,
      );
    } finally {
      stranger.close();
    }
  });

  it('logs one JSON line per request without secrets at any level, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-todos-proc-'));
    const instance = await Instance.start({ DATA_DIR: dataDir, LOG_LEVEL: 'trace', JWT_SECRET: randomBytes(48).toString('base64url') });
    const email = uniqueEmail('logs');
    const password = `canary-${randomBytes(9).toString('base64url')}`;
    const secrets: string[] = [password];
    let exitCode: number | null;
    try {
      const base = instance.url;
      const json = { 'content-type': 'application/json' };
      const register = () => fetch(`${base}/auth/register`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
      assert.equal((await register()).status, 201);
      assert.equal((await register()).status, 409, 'a failed insert is the case that used to log its parameters');
      const form = new URLSearchParams({ username: email, password });
      const issued = (await (await fetch(`${base}/auth/login`, { method: 'POST', body: form })).json()) as {
        access_token: string;
        refresh_token: string;
      };
      const token = issued.access_token;
      secrets.push(issued.refresh_token, token);
      const me = await fetch(`${base}/users/me`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-me-1' } });
      assert.equal(me.status, 200);
      assert.equal((await fetch(`${base}/auth/login?password=query-secret-123`)).status, 405, 'a GET of the login route');
      // Tokens pasted where they do not belong: in a path, in an unexpected query parameter.
      await fetch(`${base}/todos/${token}`, { headers: { authorization: `Bearer ${token}` } });
      await fetch(`${base}/todos?jwt=${token}`, { headers: { authorization: `Bearer ${token}` } });
      // A client that goes away mid-request: half a body, then the connection closes.
      const { hostname, port } = new URL(base);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => {
          socket.write(
            'POST /auth/register HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-abort-1\r\n' +
              'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":',
          );
          setTimeout(() => socket.destroy(), 300);
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      // Its line is written once the server sees the connection close; wait for it before stopping.
      await until('the aborted request is logged', () =>
        instance
          .logs()
          .split('\n')
          .some((line) => line.includes('"request aborted"') && line.includes('"trace-abort-1"')),
      );
    } finally {
      exitCode = await instance.stop('SIGTERM');
    }
    const output = instance.logs();
    assert.equal(exitCode, 0, `exit code ${exitCode}\n${output}`);
    assert.ok(!existsSync(join(dataDir, 'pglite.lock')), 'the embedded database lock was released');
    rmSync(dataDir, { recursive: true, force: true });

    assert.match(output, /Listening on http:\/\/localhost:\d+ \(Swagger UI at http:\/\/localhost:\d+\/docs\)/);
    assert.equal(secrets.length, 3);
    for (const secret of ['$argon2', 'query-secret-123', 'eyJ', ...secrets]) {
      assert.ok(!output.includes(secret), `the logs contain ${secret}`);
    }
    const requests = output
      .split('\n')
      .filter((line) => line.includes('"request completed"'))
      .map((line) => JSON.parse(line) as { req: { id: string; url: string }; res: { statusCode: number } });
    assert.ok(requests.length >= 5, 'one line per request');
    const traced = requests.find((r) => r.req.id === 'trace-me-1');
    assert.equal(traced?.res.statusCode, 200);
    assert.ok(requests.some((r) => r.req.url === '/auth/login?password=[redacted]'));
    const aborted = output
      .split('\n')
      .filter((line) => line.includes('"request aborted"'))
      .map((line) => JSON.parse(line) as { level: number; req: { id: string; method: string; url: string } })
      .filter((line) => line.req.id === 'trace-abort-1');
    assert.deepEqual(
      aborted.map((line) => [line.level, line.req]),
      [[40, { id: 'trace-abort-1', method: 'POST', url: '/auth/register' }]],
    );
    const events = output
      .split('\n')
      .filter((line) => line.includes('"context":"Security"'))
      .map((line) => JSON.parse(line) as { event: string; userId?: number });
    const success = events.find((e) => e.event === 'login_succeeded');
    assert.ok(success && Number.isInteger(success.userId), 'a login success is a structured event with the user id');
    assert.ok(!output.includes(email), 'security events carry ids, not email addresses');
  });
});
