import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, PASSWORD, signUp } from '../support/factories.js';

/** The value of one series in Prometheus's text format, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics on the API port, behind METRICS_TOKEN', () => {
  const token = randomBytes(32).toString('base64url');
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ METRICS_TOKEN: token });
  });
  after(() => t.close());

  const scrape = async () => {
    const res = await t.http.get('/metrics').set('Authorization', `Bearer ${token}`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return res.text;
  };

  it('refuses a scrape without the token or with another one', async () => {
    expectProblem(await t.http.get('/metrics'), 401, 'Invalid metrics token', 'authentication_required');
    expectProblem(await t.http.get('/metrics').set('Authorization', `Bearer ${token}x`), 401, 'Invalid metrics token', 'invalid_token');
    expectProblem(await t.http.get('/metrics').set('Authorization', `Basic ${token}`), 401);
  });

  it('counts requests by route template and status, with one label for unmatched URLs', async () => {
    const user = await signUp(t.http);
    const before = await scrape();
    const series = 'http_request_duration_seconds_count{method="GET",route="/users/me",status_code="200"}';
    await t.http.get('/users/me').set(user.auth);
    await t.http.get('/users/me').set(user.auth);
    await t.http.get(`/todos/999999`).set(user.auth);
    await t.http.get(`/no/such/${randomBytes(4).toString('hex')}`);
    const text = await scrape();
    assert.equal(sample(text, series), (sample(before, series) ?? 0) + 2);
    assert.ok(sample(text, 'http_request_duration_seconds_count{method="GET",route="/todos/:id",status_code="404"}')! >= 1);
    assert.ok(sample(text, 'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}')! >= 1);
    assert.ok(!text.includes('/no/such/'), 'no series per unknown URL');
  });

  it('counts login outcomes, refresh-token reuse and throttling, and shows the pool', async () => {
    const user = await signUp(t.http);
    const before = await scrape();
    const events = (text: string, event: string) => sample(text, `auth_security_events_total{event="${event}"}`) ?? 0;
    expectProblem(await t.http.post('/auth/login').type('form').send({ username: user.email, password: 'wrong-guess' }), 401);
    const pair = (await t.http.post('/auth/login').type('form').send({ username: user.email, password: PASSWORD })).body as {
      refresh_token: string;
    };
    const refresh = (userAgent: string) =>
      t.http.post('/auth/refresh').set('User-Agent', userAgent).send({ refresh_token: pair.refresh_token });
    assert.equal((await refresh('owner')).status, 200);
    // From another client, so no grace window forgives the replay.
    expectProblem(await refresh('thief'), 401);
    const text = await scrape();
    assert.equal(events(text, 'login_failed'), events(before, 'login_failed') + 1);
    assert.equal(events(text, 'login_succeeded'), events(before, 'login_succeeded') + 1);
    assert.equal(events(text, 'refresh_token_reuse'), events(before, 'refresh_token_reuse') + 1);
    assert.ok(sample(text, 'db_pool_connections{state="total"}')! >= 1);
    assert.ok(sample(text, 'db_pool_connections{state="waiting"}')! >= 0);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  });

  it('is left out of the API document', async () => {
    const doc = (await t.http.get('/openapi.json')).body as { paths: Record<string, unknown> };
    assert.equal(doc.paths['/metrics'], undefined);
  });
});

describe('metrics switched off, and on a port of their own', () => {
  it('answers 404 on the API port without METRICS_TOKEN', async () => {
    const t = await startTestApp();
    try {
      expectProblem(await t.http.get('/metrics'), 404, 'Metrics are not served on this port');
    } finally {
      await t.close();
    }
  });

  it('serves /metrics without a token on METRICS_PORT, and nothing else there', async () => {
    const port = await freePort();
    const t = await startTestApp({ METRICS_PORT: String(port) });
    try {
      assert.equal((await t.http.get('/health/live')).status, 200);
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} 1$/m);
      assert.equal((await fetch(`http://127.0.0.1:${port}/users/me`)).status, 404);
      expectProblem(await t.http.get('/metrics'), 404);
    } finally {
      await t.close();
    }
    await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), /fetch failed/, 'the listener closes with the app');
  });

  it('asks for METRICS_TOKEN on a listener other machines can reach', async () => {
    const port = await freePort();
    const token = randomBytes(32).toString('base64url');
    const t = await startTestApp({ METRICS_PORT: String(port), METRICS_HOST: '0.0.0.0', METRICS_TOKEN: token });
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      assert.equal((await fetch(url)).status, 401);
      assert.equal((await fetch(url, { headers: { authorization: `Bearer ${token}x` } })).status, 401);
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^# TYPE http_request_duration_seconds histogram$/m);
    } finally {
      await t.close();
    }
  });
});

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
}
