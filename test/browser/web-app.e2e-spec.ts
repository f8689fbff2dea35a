import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/app.js';
import { PASSWORD, signUp, signUpAdmin, uniqueEmail } from '../support/factories.js';
import { enableMfa } from '../support/mfa.js';

const CHROMIUM = '/usr/bin/chromium';
// localhost, not 127.0.0.1: browsers accept `Secure` (and `__Secure-`) cookies over plain HTTP
// only there. The page and the API are two origins of one site, as a deployment's app. and api.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--host-resolver-rules=MAP localhost 127.0.0.1'];
const OUTPUT = 'test-output';
const WEB = 'examples/web';
/** The shortest lifetime the server allows outside production; the SDK refreshes half way. */
const TTL_SECONDS = 30;
const skip =
  (!existsSync(CHROMIUM) || !existsSync(join(WEB, 'node_modules'))) && process.env.CI !== 'true'
    ? `${CHROMIUM} or ${WEB}/node_modules (npm ci --prefix ${WEB}) is missing`
    : false;

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** The built example app, from its own origin. */
function serveStatic(root: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = normalize(new URL(request.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path === '/' ? 'index.html' : path);
    if (!file.startsWith(root) || !existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the example web app in Chromium, on the SDK', { skip }, () => {
  let t: TestApp;
  let web: Server;
  let profile: string;
  let browser: BrowserContext;
  let url: string;
  const errors: string[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is required (apt-get install chromium)`);
    const dist = mkdtempSync(join(tmpdir(), 'auth-todos-web-'));
    const build = spawnSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: WEB,
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, `vite build: ${build.stdout}${build.stderr}`);
    web = await serveStatic(dist);
    const webOrigin = `http://localhost:${(web.address() as AddressInfo).port}`;
    t = await startTestApp({ ACCESS_TOKEN_TTL: `${TTL_SECONDS}s`, CORS_ORIGINS: webOrigin });
    await t.app.listen(0, '127.0.0.1');
    const api = `http://localhost:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    url = `${webOrigin}/?api=${encodeURIComponent(api)}`;
    profile = mkdtempSync(join(tmpdir(), 'auth-todos-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    mkdirSync(OUTPUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    web?.close();
    await t?.close();
  });

  const tab = async (): Promise<Page> => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    return page;
  };
  const enterPassword = async (page: Page, email: string) => {
    await page.locator('#signin-form input[name=email]').fill(email);
    await page.locator('#signin-form input[name=password]').fill(PASSWORD);
    await page.locator('#signin-form button').click();
  };
  const signIn = async (page: Page, email: string) => {
    await enterPassword(page, email);
    await page.locator('#new-todo').waitFor();
  };
  /** The password step of an account with MFA on: the code form comes up. */
  const toCodeForm = async (page: Page, email: string) => {
    await enterPassword(page, email);
    await page.locator('#mfa-form').waitFor();
  };
  /** The browser's session, and how many refreshes the server has answered for it. */
  const refreshesOf = async (userId: number) => {
    const [row] = await t.app.get(DataSource).query<{ id: number; revoked_reason: string | null; created: Date[] }[]>(
      `SELECT s.id, s.revoked_reason, array_agg(r.created_at ORDER BY r.id) AS created
         FROM sessions s JOIN refresh_tokens r ON r.session_id = s.id
        WHERE s.user_id = $1 AND s.user_agent LIKE '%Chrome%' GROUP BY s.id`,
      [userId],
    );
    return { revoked: row.revoked_reason, refreshes: row.created.length - 1, created: row.created.map((d) => new Date(d).getTime()) };
  };

  it('signs up, signs in, adds, completes, deletes and pages through todos', async () => {
    const page = await tab();
    await page.locator('#signin-form').waitFor();
    await page.screenshot({ path: join(OUTPUT, 'web-sign-in.png'), fullPage: true });
    const email = uniqueEmail('web');
    await page.locator('#signup-form input[name=email]').fill(email);
    await page.locator('#signup-form input[name=password]').fill(PASSWORD);
    await page.locator('#signup-form button').click();
    await page.locator('#new-todo').waitFor();
    for (let i = 1; i <= 12; i += 1) {
      await page.locator('#new-todo input').fill(`Todo ${i}`);
      await page.locator('#new-todo button').click();
      await page.locator('#todo-list li', { hasText: `Todo ${i}` }).waitFor();
    }
    assert.equal(await page.locator('#todo-list li').count(), 10, 'one page');
    await page.locator('#load-more').click();
    await page.locator('#todo-list li span', { hasText: /^Todo 1$/ }).waitFor();
    assert.equal(await page.locator('#todo-list li').count(), 12);
    assert.equal(await page.locator('#load-more').isHidden(), true, 'the last page');
    await page.locator('#todo-list li', { hasText: 'Todo 12' }).locator('input').check();
    await page.locator('#todo-list li.done', { hasText: 'Todo 12' }).waitFor();
    await page.locator('#todo-list li', { hasText: 'Todo 11' }).locator('button').click();
    await page.locator('#todo-list li', { hasText: 'Todo 11' }).waitFor({ state: 'detached' });
    await page.screenshot({ path: join(OUTPUT, 'web-todos.png'), fullPage: true });
    await page.locator('#show-sessions').click();
    await page.locator('#session-list li', { hasText: 'this device' }).waitFor();
    await page.screenshot({ path: join(OUTPUT, 'web-devices.png'), fullPage: true });
    await page.locator('#session-list li', { hasText: 'this device' }).locator('button').click();
    await page.locator('#signin-form').waitFor();
    await page.close();
  });

  it('keeps two tabs signed in across three expiries with one refresh each, and signs both out together', async () => {
    for (const page of browser.pages()) await page.close();
    const user = await signUp(t.http, uniqueEmail('tabs'));
    const first = await tab();
    await signIn(first, user.email);
    // The second tab takes the first one's token: no refresh for it.
    const second = await tab();
    await second.locator('#new-todo').waitFor();
    assert.equal((await refreshesOf(user.id)).refreshes, 0);
    // Both tabs keep calling the API until the server has answered three refreshes.
    let state = await refreshesOf(user.id);
    while (state.refreshes < 3) {
      for (const page of [first, second]) {
        await page.locator('#reload-todos').click();
        assert.equal(await page.locator('#error').textContent(), '', 'every request succeeds');
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      state = await refreshesOf(user.id);
      assert.equal(state.revoked, null, 'the session lives: no refresh token was reused');
    }
    assert.equal(state.refreshes, 3);
    // One refresh per expiry: no two of them within the same half lifetime.
    const gaps = state.created.slice(1).map((at, i) => at - state.created[i]);
    console.log(`two tabs: ${state.refreshes} refreshes for 3 expiries (${TTL_SECONDS} s tokens), ${gaps.join(' and ')} ms apart`);
    for (const gap of gaps) assert.ok(gap > (TTL_SECONDS / 4) * 1000, `refreshes ${gap} ms apart: ${JSON.stringify(gaps)}`);
    await second.screenshot({ path: join(OUTPUT, 'web-second-tab.png'), fullPage: true });

    await first.locator('#signout').click();
    await second.locator('#signin-form').waitFor({ timeout: 2_000 });
    assert.match((await second.locator('#notice').textContent()) ?? '', /Signed out/);
    await first.locator('#signin-form').waitFor({ timeout: 2_000 });
    assert.equal(
      await first.locator('#signin-form input[name=email]').inputValue(),
      '',
      'the address typed to sign in is not left for the next person',
    );
    assert.equal((await refreshesOf(user.id)).revoked, 'logout');
  });

  it('signs in with the second factor: the password, then the code form, then the todos', async () => {
    for (const page of browser.pages()) await page.close();
    const user = await enableMfa(t.http, await signUp(t.http, uniqueEmail('mfa')));
    const page = await tab();
    await page.locator('#signin-form').waitFor();
    assert.equal(await page.locator('#mfa-form').isHidden(), true, 'no code form before the password');
    await toCodeForm(page, user.email);
    assert.equal(await page.locator('#signin-form').isHidden(), true, 'the code form replaces the password form');
    await page.screenshot({ path: join(OUTPUT, 'web-mfa-code.png'), fullPage: true });

    // A wrong code is refused in the page, and the form stays for the right one.
    await page.locator('#mfa-form input[name=code]').fill(user.app.wrongCode());
    await page.locator('#mfa-form button').click();
    await page.locator('#auth-error', { hasText: /\S/ }).waitFor();
    assert.equal(await page.locator('#mfa-form').isVisible(), true);
    await page.locator('#mfa-form input[name=code]').fill(user.app.code());
    await page.locator('#mfa-form button').click();
    await page.locator('#new-todo').waitFor();
    await page.locator('#new-todo input').fill('Second factor');
    await page.locator('#new-todo button').click();
    await page.locator('#todo-list li', { hasText: 'Second factor' }).waitFor();
    // The verify step set the refresh cookie: a reload stays signed in.
    await page.reload();
    await page.locator('#todo-list li', { hasText: 'Second factor' }).waitFor();
    const signIns = await t.app
      .get(DataSource)
      .query<{ details: { mfa: boolean } }[]>(
        `SELECT details FROM audit_events WHERE user_id = $1 AND type = 'login.succeeded' AND user_agent LIKE '%Chrome%'`,
        [user.id],
      );
    assert.deepEqual(
      signIns.map((row) => row.details.mfa),
      [true],
      "the browser's one sign-in, completed by the second factor",
    );

    await page.locator('#signout').click();
    await page.locator('#signin-form').waitFor();
    assert.equal((await refreshesOf(user.id)).revoked, 'logout');
  });

  it('sends the user back to the password form when the code step has expired, and signs in from there', async () => {
    for (const page of browser.pages()) await page.close();
    const user = await enableMfa(t.http, await signUp(t.http, uniqueEmail('mfa-expired')));
    const page = await tab();
    await toCodeForm(page, user.email);

    // The user comes back after the mfa_token's 5 minutes: the right code no longer helps.
    await t.app.get(DataSource).query("UPDATE mfa_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1", [user.id]);
    await page.locator('#mfa-form input[name=code]').fill(user.app.code());
    await page.locator('#mfa-form button').click();
    await page.locator('#signin-form').waitFor({ timeout: 5_000 });
    assert.equal(await page.locator('#mfa-form').isHidden(), true, 'no code form without a live mfa_token');
    assert.match((await page.locator('#auth-error').textContent()) ?? '', /sign-in expired: enter your password again/);
    assert.equal(await page.locator('#signin-form input[name=email]').inputValue(), user.email, 'the email stays');
    await page.screenshot({ path: join(OUTPUT, 'web-mfa-expired.png'), fullPage: true });

    await page.locator('#signin-form input[name=password]').fill(PASSWORD);
    await page.locator('#signin-form button').click();
    await page.locator('#mfa-form').waitFor();
    assert.equal(await page.locator('#auth-error').textContent(), '');
    // A recovery code: the authenticator has given its two fresh codes of this window.
    await page.locator('#mfa-form input[name=code]').fill(user.recoveryCodes[0]);
    await page.locator('#mfa-form button').click();
    await page.locator('#new-todo').waitFor();
    // The next test's tabs start signed out, not from this session's cookie.
    await page.locator('#signout').click();
    await page.locator('#signin-form').waitFor();
  });

  it('sends the user back to the password form, saying why, when an admin deactivates the account between the password and the code', async () => {
    for (const page of browser.pages()) await page.close();
    const admin = await signUpAdmin(t);
    const user = await enableMfa(t.http, await signUp(t.http, uniqueEmail('mfa-deactivated')));
    const page = await tab();
    await toCodeForm(page, user.email);

    const deactivated = await t.http.patch(`/admin/users/${user.id}`).set(admin.auth).send({ is_active: false });
    assert.equal(deactivated.status, 200, deactivated.text);
    // The right code spends the mfa_token, and the server then refuses the session (403 inactive_account).
    await page.locator('#mfa-form input[name=code]').fill(user.app.code());
    await page.locator('#mfa-form button').click();
    await page.locator('#signin-form').waitFor({ timeout: 5_000 });
    assert.equal(await page.locator('#mfa-form').isHidden(), true, 'no code form for a token the server has spent');
    assert.match((await page.locator('#auth-error').textContent()) ?? '', /account has been deactivated/);
    await page.screenshot({ path: join(OUTPUT, 'web-mfa-deactivated.png'), fullPage: true });
  });

  it('signs every tab out at the next request when an admin deactivates the account, saying why', async () => {
    for (const page of browser.pages()) await page.close();
    const admin = await signUpAdmin(t);
    const user = await signUp(t.http, uniqueEmail('deactivated'));
    const first = await tab();
    await signIn(first, user.email);
    const second = await tab();
    await second.locator('#new-todo').waitFor();

    const deactivated = await t.http.patch(`/admin/users/${user.id}`).set(admin.auth).send({ is_active: false });
    assert.equal(deactivated.status, 200, deactivated.text);
    await first.locator('#reload-todos').click();
    for (const page of [first, second]) {
      await page.locator('#signin-form').waitFor({ timeout: 2_000 });
      assert.match((await page.locator('#notice').textContent()) ?? '', /deactivated this account/);
    }
    await second.screenshot({ path: join(OUTPUT, 'web-deactivated.png'), fullPage: true });
    assert.equal((await refreshesOf(user.id)).revoked, 'account_deactivated');
  });

  it('raised no page errors', () => {
    assert.deepEqual(errors, []);
  });
});
