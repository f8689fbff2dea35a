import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.js';
import { PASSWORD, signUp, uniqueEmail } from '../support/factories.js';

/** Debian's Chromium; a browser is never downloaded. CI installs it, and fails without it. */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const OUTPUT = 'test-output';
const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true' ? `${CHROMIUM} is not installed` : false;

describe('Swagger UI in Chromium', { skip }, () => {
  let t: TestApp;
  let base: string;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is required (apt-get install chromium)`);
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'auth-todos-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });
  after(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
  });

  const openDocs = async () => {
    await page.goto(`${base}/docs`);
    await page.locator('.swagger-ui .info .title').waitFor();
  };

  /** Try it out → Execute on GET /users/me; returns the status and body Swagger UI shows. */
  const tryUsersMe = async () => {
    const operation = page.locator('#operations-users-users_me');
    if (!(await operation.locator('.opblock-body').isVisible())) await operation.locator('.opblock-summary').click();
    const tryOut = operation.locator('button.try-out__btn');
    if ((await tryOut.textContent())?.includes('Try it out')) await tryOut.click();
    await operation.locator('button.execute').click();
    const response = operation.locator('.live-responses-table tbody .response').first();
    await response.waitFor();
    return {
      status: (await response.locator('.response-col_status').textContent())?.trim(),
      body: await response.locator('.response-col_description pre').first().textContent(),
    };
  };

  it('shows the API name, version and description, and examples on request bodies', async () => {
    await openDocs();
    const info = page.locator('.swagger-ui .info');
    assert.match((await info.locator('.title').textContent()) ?? '', /^Auth & Todos API\s*0\.1\.0/);
    assert.match((await info.locator('.description').textContent()) ?? '', /OAuth2 password flow/);
    const register = page.locator('#operations-auth-auth_register');
    await register.locator('.opblock-summary').click();
    const example = register.locator('.opblock-section-request-body .highlight-code');
    await example.waitFor();
    assert.deepEqual(JSON.parse((await example.textContent()) ?? ''), {
      email: 'ada@example.com',
      password: 'correct horse battery staple',
    });
  });

  it('logs in through the Authorize dialog, calls GET /users/me, and keeps the login across a reload', async () => {
    const { email } = await signUp(t.http, uniqueEmail('swagger'));
    await openDocs();
    await page.locator('button.authorize').first().click();
    // The dialog lists both schemes; the OAuth2 one has the password-flow form.
    const oauth2 = page.locator('.auth-container').filter({ has: page.locator('#oauth_username') });
    await oauth2.locator('#oauth_username').fill(email);
    await oauth2.locator('#oauth_password').fill(PASSWORD);
    await oauth2.locator('.auth-btn-wrapper button.authorize').click();
    // Once the token endpoint answers, the form turns into a summary with a Logout button.
    await page.getByRole('button', { name: 'Remove authorization' }).waitFor();
    await page.locator('.btn-done').first().click();

    const first = await tryUsersMe();
    assert.equal(first.status, '200');
    assert.equal(JSON.parse(first.body ?? '').email, email);

    await page.reload();
    await page.locator('.swagger-ui .info .title').waitFor();
    assert.ok(await page.locator('button.authorize.locked').first().isVisible(), 'the Authorize button shows the saved login');
    const again = await tryUsersMe();
    assert.equal(again.status, '200');
    assert.equal(JSON.parse(again.body ?? '').email, email);

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'swagger-ui-users-me.png'), fullPage: true });
  });

  it('logged no console errors', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
