import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type AddressInfo, connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.js';
import { Instance } from '../support/instance.js';
import { expectProblem, login, signUp, uniqueEmail } from '../support/factories.js';

describe('operations', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());
  afterEach(() => t.reset());

  it('reports liveness and database readiness without a token', async () => {
    const live = await t.http.get('/health/live');
    assert.equal(live.status, 200);
    assert.equal(live.body.status, 'ok');
    const ready = await t.http.get('/health/ready');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.info.database.status, 'up');
  });

  it('answers unknown routes with a problem+json 404 that does not echo the query', async () => {
    expectProblem(await t.http.get('/nowhere'), 404, 'No route for GET /nowhere');
    expectProblem(await t.http.delete('/todos/1/nowhere'), 404);
    const leaky = expectProblem(await t.http.get('/nowhere?username=a@example.com&password=hunter2-secret'), 404);
    assert.doesNotMatch(JSON.stringify(leaky), /hunter2/);
  });

  it('answers a known path called with a method it does not serve with 405 and Allow', async () => {
    for (const [method, path, allow] of [
      ['put', '/todos', 'GET, HEAD, POST'],
      ['put', '/todos/1', 'DELETE, GET, HEAD, PATCH'],
      ['delete', '/users/me', 'GET, HEAD'],
      ['get', '/auth/login', 'POST'],
      ['options', '/auth/refresh', 'POST'],
    ] as const) {
      const res = await t.http[method](path);
      expectProblem(res, 405, new RegExp(`^${method.toUpperCase()} is not served here; allowed: ${allow}$`));
      assert.equal(res.headers.allow, allow, `${method} ${path}`);
    }
    const leaky = expectProblem(await t.http.get('/auth/login?username=a@example.com&password=hunter2-secret'), 405);
    assert.doesNotMatch(JSON.stringify(leaky), /hunter2/);
    // A route that exists but finds nothing is still a 404, without Allow.
    const user = await signUp(t.http);
    const missing = await t.http.get('/todos/2147483647').set(user.auth);
    expectProblem(missing, 404, 'Todo not found');
    assert.equal(missing.headers.allow, undefined);
  });

  it('answers a malformed URL and malformed HTTP with problem+json 400', async () => {
    expectProblem(await t.http.get('/todos/%FF'), 400);
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.match(raw, /Content-Type: application\/problem\+json/);
    assert.equal(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).status, 400);
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const given = await t.http.get('/health/live').set('X-Request-Id', 'lb-1234.abc');
    assert.equal(given.headers['x-request-id'], 'lb-1234.abc');
    const unsafe = await t.http.get('/health/live').set('X-Request-Id', 'x'.repeat(300));
    assert.match(unsafe.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  });

  it('publishes an OpenAPI document whose OAuth2 password flow logs in at /auth/login', async () => {
    const res = await t.http.get('/openapi.json');
    assert.equal(res.status, 200);
    const doc = res.body;
    assert.match(doc.openapi, /^3\./);
    assert.equal(doc.components.securitySchemes.oauth2.flows.password.tokenUrl, '/auth/login');
    assert.deepEqual(doc.security, [{ oauth2: [] }, { bearer: [] }]);
    assert.deepEqual(doc.paths['/auth/login'].post.security, []);
    assert.deepEqual(doc.paths['/auth/register'].post.security, []);
    assert.deepEqual(doc.paths['/health/ready'].get.security, []);
    assert.equal(doc.paths['/users/me'].get.security, undefined, 'protected routes inherit the document security');
    assert.ok(doc.paths['/auth/login'].post.requestBody.content['application/x-www-form-urlencoded']);
    for (const [path, operations] of Object.entries<Record<string, { operationId?: string; responses: object }>>(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        assert.ok(operation.operationId, `${method} ${path} has an operationId`);
        const success = Object.keys(operation.responses).filter((code) => code.startsWith('2'));
        assert.ok(success.length > 0, `${method} ${path} documents its success response`);
      }
    }
    assert.doesNotMatch(JSON.stringify(doc), /x-public/);
    const listParams = doc.paths['/todos'].get.parameters as { name: string; schema: { type?: string } }[];
    for (const name of ['limit', 'offset']) {
      assert.equal(listParams.find((p) => p.name === name)?.schema.type, 'integer', `${name} is an integer`);
    }
    const registerErrors = doc.paths['/auth/register'].post.responses;
    assert.equal(registerErrors['409'].content['application/problem+json'].example.status, 409);
    assert.equal(registerErrors['422'].content['application/problem+json'].example.status, 422);
    assert.ok(registerErrors['415'], 'a wrong content type is documented');
  });

  it('serves Swagger UI at /docs with persistent authorisation', async () => {
    const page = await t.http.get('/docs');
    assert.equal(page.status, 200);
    assert.match(page.text, /swagger-ui/i);
    const init = await t.http.get('/docs/swagger-ui-init.js');
    assert.equal(init.status, 200);
    assert.match(init.text, /"persistAuthorization":\s*true/);
  });

  it('lets only the configured origins call the API from a browser, with every method it uses', async () => {
    await t.close();
    t = await startTestApp({ CORS_ORIGINS: 'http://localhost:5173' });
    const preflight = await t.http
      .options('/todos/1')
      .set('Origin', 'http://localhost:5173')
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'http://localhost:5173');
    for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
      assert.match(preflight.headers['access-control-allow-methods'], new RegExp(method));
    }
    const list = await t.http.get('/health/live').set('Origin', 'http://localhost:5173');
    assert.match(list.headers['access-control-expose-headers'], /X-Total-Count/);
    const stranger = await t.http.options('/todos/1').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'DELETE');
    assert.equal(stranger.headers['access-control-allow-origin'], undefined);
    const nullOrigin = await t.http.get('/health/live').set('Origin', 'null');
    assert.equal(nullOrigin.headers['access-control-allow-origin'], undefined);
  });

  it('creates an admin from the CLI with the password on stdin, never on the command line', async () => {
    await t.close();
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-todos-cli-'));
    const email = uniqueEmail('cli');
    const cli = (input: string, ...args: string[]) =>
      spawnSync(process.execPath, ['dist/src/cli.js', ...args], {
        input,
        encoding: 'utf8',
        env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      });
    const created = cli('cli-admin-passphrase-9\n', 'create-admin', '--email', email);
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /: created/);
    const notEmail = cli('cli-admin-passphrase-9\n', 'create-admin', '--email', 'not an email');
    assert.equal(notEmail.status, 1);
    assert.equal(notEmail.stderr.trim(), 'Error: "not an email" is not an email address', 'one line, no stack trace');
    const weak = cli('password\n', 'create-admin', '--email', uniqueEmail());
    assert.equal(weak.status, 1);
    assert.match(weak.stderr, /most common passwords/);
    assert.equal(cli('', 'create-admin').status, 2, 'the email is required');

    t = await startTestApp({ DATA_DIR: dataDir });
    const token = await login(t.http, email, 'cli-admin-passphrase-9');
    const me = await t.http.get('/users/me').set('Authorization', `Bearer ${token}`);
    assert.equal(me.body.role, 'admin');
  });

  it('bootstraps the admin from ADMIN_EMAIL and ADMIN_PASSWORD at start-up', async () => {
    await t.close();
    const email = uniqueEmail('boot');
    t = await startTestApp({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'bootstrap-passphrase-3' });
    const token = await login(t.http, email, 'bootstrap-passphrase-3');
    assert.equal((await t.http.get('/admin/users').set('Authorization', `Bearer ${token}`)).status, 200);
    const user = await signUp(t.http);
    expectProblem(await t.http.get('/admin/users').set(user.auth), 403);
  });

  it('never hands the bootstrap admin to whoever registered the address first: the server starts without it, the CLI refuses', async () => {
    await t.close();
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-todos-taken-'));
    const env = { DATA_DIR: dataDir, JWT_SECRET: randomBytes(48).toString('base64url') };
    const email = uniqueEmail('taken');
    const squatter = await Instance.start(env);
    try {
      const res = await squatter.http.post('/auth/register').send({ email: email.toUpperCase(), password: 'squatters-own-passphrase' });
      assert.equal(res.status, 201);
    } finally {
      await squatter.stop();
    }

    const cli = spawnSync(process.execPath, ['dist/src/cli.js', 'create-admin', '--email', email], {
      input: 'bootstrap-passphrase-3\n',
      encoding: 'utf8',
      env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    });
    assert.equal(cli.status, 1, cli.stdout);
    assert.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr);
    assert.match(cli.stderr, /^Error: .+ belongs to an account that is not verified: not promoted\. Delete that account/);

    const server = await Instance.start({ ...env, ADMIN_EMAIL: email, ADMIN_PASSWORD: 'bootstrap-passphrase-3' });
    let userId: number;
    try {
      expectProblem(await server.http.post('/auth/login').type('form').send({ username: email, password: 'bootstrap-passphrase-3' }), 401);
      const token = (await server.http.post('/auth/login').type('form').send({ username: email, password: 'squatters-own-passphrase' }))
        .body.access_token;
      const me = await server.http.get('/users/me').set('Authorization', `Bearer ${token}`);
      assert.equal(me.body.role, 'user');
      userId = me.body.id;
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const refusals = server
      .logs()
      .split('\n')
      .filter((line) => line.includes('"admin_bootstrap_refused"'))
      .map((line) => JSON.parse(line) as { level: number; context: string; userId: number; reason: string; msg: string });
    assert.equal(refusals.length, 1, server.logs());
    assert.deepEqual(
      [refusals[0].level, refusals[0].context, refusals[0].userId, refusals[0].reason],
      [50, 'Security', userId, 'not_verified'],
    );
    assert.match(refusals[0].msg, /^ADMIN_EMAIL belongs to an account that is not verified: not promoted\. .*choose another ADMIN_EMAIL/);
    assert.ok(!server.logs().includes(email), 'security events carry ids, not email addresses');
    t = await startTestApp();
  });
});
