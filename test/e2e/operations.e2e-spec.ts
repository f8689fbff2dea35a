import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { startTestApp, type TestApp } from '../support/app.js';
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

  it('answers unknown routes and methods with a problem+json 404', async () => {
    expectProblem(await t.http.get('/nowhere'), 404);
    expectProblem(await t.http.put('/todos'), 404);
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
  });

  it('serves Swagger UI at /docs with persistent authorisation', async () => {
    const page = await t.http.get('/docs');
    assert.equal(page.status, 200);
    assert.match(page.text, /swagger-ui/i);
    const init = await t.http.get('/docs/swagger-ui-init.js');
    assert.equal(init.status, 200);
    assert.match(init.text, /"persistAuthorization":\s*true/);
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
});

describe('embedded database', () => {
  it('refuses a second process on the same data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-todos-lock-'));
    const first = await EmbeddedPostgres.open(dir);
    try {
      await assert.rejects(EmbeddedPostgres.open(dir), /in use by another process/);
    } finally {
      await first.close();
    }
    const again = await EmbeddedPostgres.open(dir);
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
