import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/app.js';
import { walkEvents } from '../support/audit.js';
import { expectProblem, fieldsIn, login, PASSWORD, signUp, signUpAdmin, type SignedIn } from '../support/factories.js';
import { enableMfa, mfaToken, verify } from '../support/mfa.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** `POST /users/me/delete` and `POST /admin/users/{id}/sessions/revoke`. */
describe('account controls', () => {
  let t: TestApp;
  let db: DataSource;

  before(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
  });
  after(() => t.close());
  afterEach(() => t.reset());

  /** What the database still holds of an account, table by table. */
  const holdings = async (userId: number) =>
    (
      await db.query(
        `SELECT (SELECT count(*) FROM users WHERE id = $1)::int AS users,
                (SELECT count(*) FROM todos WHERE owner_id = $1)::int AS todos,
                (SELECT count(*) FROM todo_counts WHERE user_id = $1)::int AS todo_counts,
                (SELECT count(*) FROM sessions WHERE user_id = $1)::int AS sessions,
                (SELECT count(*) FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE s.user_id = $1)::int AS refresh_tokens,
                (SELECT count(*) FROM account_tokens WHERE user_id = $1)::int AS account_tokens,
                (SELECT count(*) FROM idempotency_keys WHERE user_id = $1)::int AS idempotency_keys`,
        [userId],
      )
    )[0] as Record<string, number>;

  const deleteOwn = (who: SignedIn, body: object) => t.http.post('/users/me/delete').set(who.auth).send(body);

  it('deletes the account and everything it owns in one go; the event keeps the id, not the email', async () => {
    const [ada, bob] = [await signUp(t.http), await signUp(t.http)];
    for (const who of [ada, bob]) await t.http.post('/todos').set(who.auth).set('Idempotency-Key', 'first').send({ title: 'kept?' });
    await login(t.http, ada.email);
    await t.http.post('/auth/password-reset/request').send({ email: ada.email });
    const before = await holdings(ada.id);
    assert.deepEqual(before, {
      users: 1,
      todos: 1,
      todo_counts: 1,
      sessions: 2,
      refresh_tokens: 2,
      account_tokens: 2,
      idempotency_keys: 1,
    });

    const res = await deleteOwn(ada, { password: PASSWORD });
    assert.equal(res.status, 204, res.text);
    assert.deepEqual(await holdings(ada.id), {
      users: 0,
      todos: 0,
      todo_counts: 0,
      sessions: 0,
      refresh_tokens: 0,
      account_tokens: 0,
      idempotency_keys: 0,
    });
    assert.deepEqual(await holdings(bob.id), { ...before, sessions: 1, refresh_tokens: 1, account_tokens: 1 }, "bob's untouched");
    expectProblem(await t.http.get('/users/me').set(ada.auth), 401);
    expectProblem(await t.http.post('/auth/login').type('form').send({ username: ada.email, password: PASSWORD }), 401);

    const admin = await signUpAdmin(t);
    const { events } = await walkEvents(t.http, admin.auth, `/admin/audit-events?user_id=${ada.id}&type=account.deleted`);
    assert.deepEqual(
      events.map((event) => [event.type, event.user_id, event.actor_id, event.details]),
      [['account.deleted', ada.id, ada.id, {}]],
    );
    const [{ mentions }] = await db.query(`SELECT count(*)::int AS mentions FROM audit_events e WHERE row_to_json(e)::text ILIKE $1`, [
      `%${ada.email}%`,
    ]);
    assert.equal(mentions, 0, 'no event holds the address');
  });

  it('refuses a wrong password with the 401 of a password change, and keeps the account', async () => {
    const ada = await signUp(t.http);
    const deletion = expectProblem(await deleteOwn(ada, { password: 'not-my-password' }), 401, undefined, 'invalid_current_password');
    const change = expectProblem(
      await t.http
        .post('/users/me/password')
        .set(ada.auth)
        .send({ current_password: 'not-my-password', new_password: 'amber-falcon-river-77' }),
      401,
    );
    const withoutInstance = (problem: object) => Object.entries(problem).filter(([member]) => member !== 'instance');
    assert.deepEqual(withoutInstance(deletion), withoutInstance(change));
    assert.equal((await holdings(ada.id)).users, 1);
    assert.equal((await t.http.get('/users/me').set(ada.auth)).status, 200);
  });

  it('refuses a malformed body with 422, and a stranger with 401', async () => {
    const ada = await signUp(t.http);
    for (const [body, field] of [
      [{}, 'password'],
      [{ password: '' }, 'password'],
      [{ password: 42 }, 'password'],
      [{ password: PASSWORD, code: 123456 }, 'code'],
      [{ password: PASSWORD, code: 'x'.repeat(65) }, 'code'],
      [{ password: PASSWORD, email: ada.email }, 'email'],
    ] as const) {
      assert.deepEqual(fieldsIn(expectProblem(await deleteOwn(ada, body), 422)), [field], JSON.stringify(body));
    }
    expectProblem(await t.http.post('/users/me/delete').send({ password: PASSWORD }), 401);
    assert.equal((await holdings(ada.id)).users, 1);
    assert.equal((await deleteOwn(ada, { password: PASSWORD, code: '123456' })).status, 204, 'a code is accepted beside the password');
  });

  it('keeps the last active admin (409), and lets an admin go once another is active', async () => {
    const admin = await signUpAdmin(t);
    expectProblem(await deleteOwn(admin, { password: PASSWORD }), 409, /last active admin/, 'last_admin');
    assert.equal((await holdings(admin.id)).users, 1);
    await signUpAdmin(t);
    assert.equal((await deleteOwn(admin, { password: PASSWORD })).status, 204);
  });

  it('spends no code of the last active admin it refuses (409): the same TOTP and recovery code then sign in', async () => {
    const admin = await enableMfa(t.http, await signUpAdmin(t));
    const totp = admin.app.code();
    expectProblem(await deleteOwn(admin, { password: PASSWORD, code: totp }), 409, /last active admin/, 'last_admin');
    expectProblem(await deleteOwn(admin, { password: PASSWORD, code: admin.recoveryCodes[0] }), 409, /last active admin/, 'last_admin');
    const byTotp = await verify(t.http, await mfaToken(t.http, admin.email), totp);
    assert.equal(byTotp.status, 200, byTotp.text);
    const byRecovery = await verify(t.http, await mfaToken(t.http, admin.email), admin.recoveryCodes[0]);
    assert.equal(byRecovery.status, 200, byRecovery.text);
  });

  it('lets one of two admins deleting themselves at once go; the other (409) keeps its account and its code', async () => {
    const admins = [await enableMfa(t.http, await signUpAdmin(t)), await enableMfa(t.http, await signUpAdmin(t))];
    const answers = await Promise.all(admins.map((admin) => deleteOwn(admin, { password: PASSWORD, code: admin.recoveryCodes[0] })));
    assert.deepEqual(answers.map((res) => res.status).sort(), [204, 409], answers.map((res) => res.text).join('\n'));
    const kept = admins[answers.findIndex((res) => res.status === 409)];
    assert.equal((await holdings(kept.id)).users, 1);
    const signedIn = await verify(t.http, await mfaToken(t.http, kept.email), kept.recoveryCodes[0]);
    assert.equal(signedIn.status, 200, signedIn.text);
  });

  it("ends every session of a user at once, audited among the user's events", async () => {
    const [admin, ada, bob] = [await signUpAdmin(t), await signUp(t.http), await signUp(t.http)];
    const second = await t.http.post('/auth/login').type('form').send({ username: ada.email, password: PASSWORD });
    const res = await t.http.post(`/admin/users/${ada.id}/sessions/revoke`).set(admin.auth);
    assert.equal(res.status, 204, res.text);
    expectProblem(await t.http.get('/users/me').set(ada.auth), 401, 'Session ended');
    expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${second.body.access_token}`), 401, 'Session ended');
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: second.body.refresh_token }), 401);
    assert.equal((await t.http.get('/users/me').set(bob.auth)).status, 200, "bob's session lives");

    const token = await login(t.http, ada.email);
    const { events } = await walkEvents(
      t.http,
      { Authorization: `Bearer ${token}` },
      '/users/me/security-events?type=admin.sessions_revoked',
    );
    assert.deepEqual(
      events.map((event) => [event.user_id, event.actor_id, event.details]),
      [[ada.id, admin.id, { sessions_ended: 2 }]],
    );
    const reasons = await db.query(`SELECT DISTINCT revoked_reason FROM sessions WHERE user_id = $1 AND revoked_at IS NOT NULL`, [ada.id]);
    assert.deepEqual(reasons, [{ revoked_reason: 'ended_by_admin' }]);
  });

  it('answers 404 for an unknown user, 422 for a bad id, 403 to a plain user and 401 to a stranger', async () => {
    const [admin, ada] = [await signUpAdmin(t), await signUp(t.http)];
    expectProblem(await t.http.post('/admin/users/424242/sessions/revoke').set(admin.auth), 404, 'User not found');
    expectProblem(await t.http.post('/admin/users/abc/sessions/revoke').set(admin.auth), 422);
    expectProblem(await t.http.post(`/admin/users/${admin.id}/sessions/revoke`).set(ada.auth), 403, 'admin permission required');
    expectProblem(await t.http.post(`/admin/users/${ada.id}/sessions/revoke`), 401);
    assert.equal((await t.http.get('/users/me').set(admin.auth)).status, 200);
    assert.equal((await t.http.get('/users/me').set(ada.auth)).status, 200);
  });
});

/** `POST /users/me/delete` with the rate-limit counters in a Redis that stalls. */
describe('account deletion while Redis stalls', () => {
  const prefix = `test-${randomBytes(6).toString('hex')}:`;
  let proxy: TcpProxy;
  let t: TestApp;

  before(async () => {
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: 6379 });
    t = await startTestApp({ REDIS_URL: proxy.url('redis://127.0.0.1:6379'), REDIS_KEY_PREFIX: prefix });
  });
  after(async () => {
    await t?.close();
    await proxy?.close();
  });

  it('holds no lock on the account while it counts the password and the code against Redis', async () => {
    const ada = await enableMfa(t.http, await signUp(t.http));
    const db = t.app.get(DataSource);
    // Redis stalls on each count of the account's failures until PostgreSQL has said whether another
    // transaction can lock the account's row at once (NOWAIT): a lock error, or the row gone, means no.
    const seen: unknown[] = [];
    const isCount = (chunk: Buffer) =>
      /^\*\d+\r\n\$4\r\neval\r\n/i.test(chunk.toString('latin1')) && chunk.includes(`${prefix}login-failures:`);
    proxy.holdWhat({
      matches: isCount,
      held: async () =>
        seen.push(
          await db
            .transaction((em) => em.query('SELECT id FROM users WHERE id = $1 FOR UPDATE NOWAIT', [ada.id]))
            .then((rows: { id: string }[]) => rows.map((row) => Number(row.id)))
            .catch((error: Error) => error.message),
        ),
    });
    try {
      const res = await t.http.post('/users/me/delete').set(ada.auth).send({ password: PASSWORD, code: ada.app.code() });
      assert.equal(res.status, 204, res.text);
    } finally {
      proxy.holdWhat(undefined);
    }
    assert.deepEqual(seen, [[ada.id], [ada.id]], "the password's count and the code's, each with the row free");
  });
});
