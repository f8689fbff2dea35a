import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  type ApiClient,
  createApiClient,
  isProblem,
  listTotal,
  logIn,
  nextCursor,
  pages,
  type Problem,
  type FieldErrorCode,
  type ProblemCode,
  type TodoOut,
  totalCount,
} from '#api-client';
import * as heyApi from '#hey-api-client';
import { createClient, createConfig } from '#hey-api-client/client/index.js';
import { AdminBootstrapService } from '../../src/admin-bootstrap/admin-bootstrap.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { PASSWORD, uniqueEmail } from '../support/factories.js';
import { Authenticator } from '../support/mfa.js';

/** The generated TypeScript client against the running server, the way a frontend uses it. */
describe('generated TypeScript client', () => {
  let t: TestApp;
  let baseUrl: string;

  before(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  after(() => t.close());
  afterEach(() => t.reset());

  /** Registers and logs in through the client; returns a client that sends the access token. */
  async function signedIn(email = uniqueEmail('client')): Promise<{ api: ApiClient; id: number; email: string }> {
    const anonymous = createApiClient({ baseUrl });
    const registered = await anonymous.POST('/auth/register', { body: { email, password: PASSWORD } });
    assert.equal(registered.response.status, 201, JSON.stringify(registered.error));
    const token = await logIn(anonymous, email, PASSWORD);
    assert.equal(token.data?.token_type, 'bearer');
    const accessToken = token.data.access_token;
    return { api: createApiClient({ baseUrl, accessToken: () => accessToken }), id: registered.data!.id, email };
  }

  /** The error a call returned, checked to be problem+json with the status, typed as `Problem`. */
  function problemOf(result: { error?: Problem; response: Response }, status: number): Problem {
    assert.equal(result.response.status, status);
    assert.match(result.response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.ok(isProblem(result.error), `a problem body: ${JSON.stringify(result.error)}`);
    assert.equal(result.error.status, status);
    return result.error;
  }

  it('registers, logs in, reads the signed-in user, refreshes and logs out', async () => {
    const email = uniqueEmail('journey');
    const anonymous = createApiClient({ baseUrl });
    const registered = await anonymous.POST('/auth/register', { body: { email: email.toUpperCase(), password: PASSWORD } });
    assert.equal(registered.response.status, 201);
    assert.deepEqual(
      { email: registered.data?.email, role: registered.data?.role, is_active: registered.data?.is_active },
      { email, role: 'user', is_active: true },
    );

    const login = await logIn(anonymous, email, PASSWORD);
    assert.equal(login.response.status, 200);
    // The document describes each grant with its required members, so an empty form does not compile.
    // @ts-expect-error grant_type, username and password are required
    problemOf(await anonymous.POST('/auth/login', { body: {}, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 422);
    assert.equal(login.response.headers.get('cache-control'), 'no-store');
    let tokens = login.data!;
    const api = createApiClient({ baseUrl, accessToken: () => tokens.access_token });
    const me = await api.GET('/users/me');
    assert.equal(me.data?.email, email);
    assert.equal(me.data?.id, registered.data?.id);

    const refreshed = await anonymous.POST('/auth/refresh', { body: { refresh_token: tokens.refresh_token } });
    assert.equal(refreshed.response.status, 200);
    const spent = tokens.refresh_token;
    tokens = refreshed.data!;
    assert.notEqual(tokens.refresh_token, spent);
    assert.equal((await api.GET('/auth/sessions')).data?.filter((s) => s.current).length, 1);

    assert.equal((await api.POST('/auth/logout')).response.status, 204);
    problemOf(await api.GET('/users/me'), 401);
  });

  it('pages through todos with limit, offset and X-Total-Count', async () => {
    const { api } = await signedIn();
    const titles = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
    for (const title of titles) {
      const created = await api.POST('/todos', { body: { title, description: `about ${title}` } });
      assert.equal(created.response.status, 201);
      assert.equal(created.data?.title, title);
    }
    const seen: TodoOut[] = [];
    for (let offset = 0; ; offset += 2) {
      const page = await api.GET('/todos', { params: { query: { limit: 2, offset, sort: 'title' } } });
      assert.equal(page.response.status, 200);
      assert.equal(totalCount(page.response), titles.length);
      if (page.data!.length === 0) break;
      assert.ok(page.data!.length <= 2);
      seen.push(...page.data!);
    }
    assert.deepEqual(
      seen.map((todo) => todo.title),
      titles,
    );

    const [first] = seen;
    const done = await api.PATCH('/todos/{id}', { params: { path: { id: first.id } }, body: { completed: true } });
    assert.equal(done.data?.completed, true);
    const completed = await api.GET('/todos', { params: { query: { completed: true } } });
    assert.deepEqual(
      completed.data?.map((todo) => todo.id),
      [first.id],
    );
    assert.equal(totalCount(completed.response), 1);
    const found = await api.GET('/todos', { params: { query: { q: 'CHAR' } } });
    assert.deepEqual(
      found.data?.map((todo) => todo.title),
      ['charlie'],
    );
    assert.equal((await api.DELETE('/todos/{id}', { params: { path: { id: first.id } } })).response.status, 204);
    assert.equal(totalCount((await api.GET('/todos')).response), titles.length - 1);
  });

  it('pages through todos by cursor, each todo once while todos come and go', async () => {
    const { api } = await signedIn();
    for (const title of ['delta', 'Alpha', 'echo', 'bravo', 'charlie', 'foxtrot', 'golf']) {
      assert.equal((await api.POST('/todos', { body: { title } })).response.status, 201);
    }
    const seen: string[] = [];
    let added = false;
    for await (const page of pages((cursor) =>
      api.GET('/todos', { params: { query: { sort: 'title', limit: 2, cursor } } }).then(pageWithTotal),
    )) {
      assert.ok(page.length <= 2);
      seen.push(...page.map((todo) => todo.title));
      if (!added) {
        // Behind the cursor: not seen; ahead of it: seen once.
        await api.POST('/todos', { body: { title: 'aardvark' } });
        await api.POST('/todos', { body: { title: 'zulu' } });
        added = true;
      }
    }
    assert.deepEqual(seen, ['Alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'zulu']);

    const first = await api.GET('/todos', { params: { query: { limit: 3 } } });
    const cursor = nextCursor(first.response);
    assert.ok(cursor);
    assert.match(first.response.headers.get('Link') ?? '', /^<\/todos\?limit=3&cursor=[\w.-]+>; rel="next"$/);
    problemOf(await api.GET('/todos', { params: { query: { limit: 3, sort: 'title', cursor } } }), 422);
    problemOf(await api.GET('/todos', { params: { query: { q: 'ab' } } }), 422);
  });

  /** A list page, its total checked from the headers the way a frontend reads them. */
  function pageWithTotal<T>(result: { data?: T[]; error?: unknown; response: Response }) {
    const total = listTotal(result.response);
    assert.equal(total.exact, true);
    assert.ok(total.count >= (result.data?.length ?? 0));
    return result;
  }

  it('lets the admin list, deactivate and delete users', async () => {
    const user = await signedIn();
    // Admins are made by an operator (the CLI's service), never over HTTP.
    const adminEmail = uniqueEmail('client-admin');
    await t.app.get(AdminBootstrapService).ensureAdmin(adminEmail, PASSWORD);
    const admin = createApiClient({ baseUrl });
    const adminLogin = await logIn(admin, adminEmail, PASSWORD);
    assert.equal(adminLogin.response.status, 200);
    const adminToken = adminLogin.data!.access_token;
    const adminApi = createApiClient({ baseUrl, accessToken: () => adminToken });

    const list = await adminApi.GET('/admin/users', { params: { query: { q: user.email, limit: 10 } } });
    assert.equal(list.response.status, 200);
    assert.deepEqual(
      list.data?.map((u) => u.email),
      [user.email],
    );
    assert.equal(totalCount(list.response), 1);
    const all = await adminApi.GET('/admin/users', { params: { query: { role: 'admin' } } });
    assert.deepEqual(
      all.data?.map((u) => u.email),
      [adminEmail],
    );

    problemOf(await user.api.GET('/admin/users'), 403);
    const deactivated = await adminApi.PATCH('/admin/users/{id}', { params: { path: { id: user.id } }, body: { is_active: false } });
    assert.equal(deactivated.data?.is_active, false);
    assert.equal(problemOf(await user.api.GET('/users/me'), 403).detail, 'Inactive account');

    assert.equal((await adminApi.DELETE('/admin/users/{id}', { params: { path: { id: user.id } } })).response.status, 204);
    problemOf(await adminApi.GET('/admin/users/{id}', { params: { path: { id: user.id } } }), 404);
  });

  it('reads my security log page by page, and deletes my account', async () => {
    const user = await signedIn();
    await logIn(createApiClient({ baseUrl }), user.email, 'not-my-password');
    const events = [];
    for await (const page of pages((cursor) => user.api.GET('/users/me/security-events', { params: { query: { limit: 1, cursor } } })))
      events.push(...page);
    assert.deepEqual(
      events.map((event) => [event.type, event.user_id]),
      [
        ['login.failed', user.id],
        ['login.succeeded', user.id],
      ],
    );
    assert.deepEqual(events[0].details, { reason: 'wrong_password' });
    assert.equal(typeof events[1].details.session_id, 'number');
    assert.equal(
      problemOf(await user.api.POST('/users/me/delete', { body: { password: 'not-my-password' } }), 401).code,
      'invalid_current_password',
    );
    assert.equal((await user.api.POST('/users/me/delete', { body: { password: PASSWORD } })).response.status, 204);
    problemOf(await user.api.GET('/users/me'), 401);
  });

  it('surfaces problem+json errors as typed values: 401, 404, 409, 422', async () => {
    const { api, email } = await signedIn();
    const anonymous = createApiClient({ baseUrl });

    const wrong = await logIn(anonymous, email, 'not-the-password-at-all');
    const unauthorized: Problem = problemOf(wrong, 401);
    assert.equal(unauthorized.detail, 'Incorrect email or password');
    assert.equal(wrong.response.headers.get('www-authenticate'), 'Bearer');
    // `code` is the document's enum: a client branches on it, and a code the API never sends does not compile.
    const code: ProblemCode = unauthorized.code;
    assert.equal(code, 'invalid_credentials');
    // @ts-expect-error not one of the API's codes: the comparison has no overlap
    const typo = unauthorized.code === 'wrong_password';
    assert.equal(typo, false);
    assert.equal(unauthorized.type, 'tag:nest-auth-todos.example,2026:problems/invalid_credentials');
    assert.equal(unauthorized.error, 'invalid_grant');
    const retry = (problem: Problem): string => {
      switch (problem.code) {
        case 'invalid_credentials':
          return 'ask again';
        case 'rate_limited':
        case 'token_expired':
          return 'wait';
        default:
          return 'give up';
      }
    };
    assert.equal(retry(unauthorized), 'ask again');
    assert.equal(wrong.data, undefined);

    const missing = problemOf(await api.GET('/todos/{id}', { params: { path: { id: 2_000_000_000 } } }), 404);
    assert.equal(missing.instance, '/todos/2000000000');

    const taken = problemOf(await anonymous.POST('/auth/register', { body: { email, password: PASSWORD } }), 409);
    assert.equal(taken.detail, 'Email already registered');

    const invalid = problemOf(await api.POST('/todos', { body: { title: '' } }), 422);
    assert.deepEqual(
      invalid.errors?.map((e) => e.field),
      ['title'],
    );
    assert.equal(typeof invalid.errors?.[0]?.message, 'string');
    assert.equal(invalid.code, 'validation_failed');
    const fieldCode: FieldErrorCode | undefined = invalid.errors?.[0]?.code;
    assert.equal(fieldCode, 'too_short');
  });

  // The same journey through a client made by @hey-api/openapi-ts, a generator nobody here wrote.
  it('registers, logs in, writes and lists todos, refreshes and logs out through a client @hey-api/openapi-ts generated', async () => {
    const email = uniqueEmail('hey-api');
    const anonymous = createClient(createConfig({ baseUrl }));
    const registered = await heyApi.authRegister({ client: anonymous, body: { email, password: PASSWORD } });
    assert.equal(registered.response?.status, 201, JSON.stringify(registered.error));
    assert.equal(registered.data?.email, email);

    const wrong = await heyApi.authLogin({
      client: anonymous,
      body: { grant_type: 'password', username: email, password: 'not-the-password-at-all' },
    });
    assert.equal(wrong.response?.status, 401);
    // Its error type is the document's: `code` narrows to the 401's codes, so a branch on it type-checks.
    assert.equal(wrong.error?.code === 'invalid_credentials' ? wrong.error.error : undefined, 'invalid_grant');
    // @ts-expect-error an empty form does not compile: each grant has its required members
    await heyApi.authLogin({ client: anonymous, body: {} }).catch(() => undefined);

    const login = await heyApi.authLogin({ client: anonymous, body: { grant_type: 'password', username: email, password: PASSWORD } });
    assert.equal(login.response?.status, 200, JSON.stringify(login.error));
    let tokens = login.data!;
    const api = createClient(createConfig({ baseUrl, auth: () => tokens.access_token }));

    const created = await heyApi.todosCreate({ client: api, body: { title: 'generated elsewhere', completed: false } });
    assert.equal(created.response?.status, 201, JSON.stringify(created.error));
    const id = created.data!.id;
    const updated = await heyApi.todosUpdate({ client: api, path: { id }, body: { completed: true } });
    assert.equal(updated.data?.completed, true);
    const listed = await heyApi.todosList({ client: api, query: { limit: 10, sort: 'title' } });
    assert.deepEqual(
      listed.data?.map((todo) => [todo.id, todo.title, todo.completed]),
      [[id, 'generated elsewhere', true]],
    );
    assert.equal(listed.response?.headers.get('x-total-count'), '1');
    const missing = await heyApi.todosGet({ client: api, path: { id: 2_000_000_000 } });
    assert.equal(missing.response?.status, 404);
    assert.equal(missing.error?.code, 'not_found');

    const refreshed = await heyApi.authRefresh({ client: anonymous, body: { refresh_token: tokens.refresh_token } });
    assert.equal(refreshed.response?.status, 200, JSON.stringify(refreshed.error));
    const spent = tokens.refresh_token;
    tokens = refreshed.data!;
    assert.notEqual(tokens.refresh_token, spent);
    assert.equal((await heyApi.usersMe({ client: api })).data?.email, email);

    assert.equal((await heyApi.sessionsLogout({ client: api })).response?.status, 204);
    const signedOut = await heyApi.usersMe({ client: api });
    assert.equal(signedOut.response?.status, 401);
    assert.equal(signedOut.error?.code, 'session_ended');
    assert.equal(signedOut.response?.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    const reused = await heyApi.authRefresh({ client: anonymous, body: { refresh_token: tokens.refresh_token } });
    assert.equal(reused.error?.code, 'invalid_refresh_token');
  });

  it('logs in with two-step sign-in: the password answers 403 mfa_required with an mfa_token, which verify turns into a pair', async () => {
    const { api, email } = await signedIn();
    const setup = await api.POST('/auth/mfa/totp/setup', { body: { password: PASSWORD } });
    assert.equal(setup.response.headers.get('cache-control'), 'no-store');
    const app = new Authenticator(setup.data!.secret);
    const confirmed = await api.POST('/auth/mfa/totp/confirm', { body: { code: app.code() } });
    assert.equal(confirmed.data?.recovery_codes.length, 10);

    const anonymous = createApiClient({ baseUrl });
    const first = await logIn(anonymous, email, PASSWORD);
    assert.equal(problemOf(first, 403).code, 'mfa_required');
    const mfaToken = first.error && 'mfa_token' in first.error ? first.error.mfa_token : undefined;
    assert.ok(mfaToken, 'the problem carries the mfa_token');
    const wrong = await anonymous.POST('/auth/mfa/verify', { body: { mfa_token: mfaToken, code: app.wrongCode() } });
    assert.equal(problemOf(wrong, 401).code, 'invalid_mfa_code');
    const second = await anonymous.POST('/auth/mfa/verify', { body: { mfa_token: mfaToken, code: app.code() } });
    assert.equal(second.data?.token_type, 'bearer', JSON.stringify(second.error));
    const accessToken = second.data.access_token;
    const me = await createApiClient({ baseUrl, accessToken: () => accessToken }).GET('/users/me');
    assert.deepEqual([me.data?.email, me.data?.mfa_enabled], [email, true]);
  });
});
