import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { assertNewestFirst, type EventOut, walkEvents } from '../support/audit.js';
import { expectProblem, PASSWORD, signUp, signUpAdmin, uniqueEmail } from '../support/factories.js';
import { appWithSmtp, tokenIn } from '../support/smtp.js';

const UA = 'audit-trail-test/1.0';
const [P1, P2, P3] = ['first-harbour-kettle-91', 'second-falcon-river-92', 'third-amber-meadow-93'];

/**
 * Every flow that writes an event, run over HTTP; then the events as the owner, an admin and the
 * table hold them, and every row scanned for each password, token and address the test used.
 */
describe('audit trail of the account flows', () => {
  const ctx = appWithSmtp({ RATE_LIMIT_LOGIN_FAILURES: '3' });
  const secrets: string[] = [];
  const kept = (value: string) => (secrets.push(value), value);
  const sidOf = (access: string) => (jwt.decode(access) as { sid: number }).sid;

  const loginPair = async (email: string, password: string) => {
    const res = await ctx.t.http.post('/auth/login').set('User-Agent', UA).type('form').send({ username: email, password });
    assert.equal(res.status, 200, res.text);
    kept(res.body.refresh_token);
    return {
      access: kept(res.body.access_token as string),
      refresh: res.body.refresh_token as string,
      auth: { Authorization: `Bearer ${res.body.access_token}` },
    };
  };
  const refresh = (token: string) => ctx.t.http.post('/auth/refresh').send({ refresh_token: token });
  const wrongLogin = (email: string, password: string) =>
    ctx.t.http
      .post('/auth/login')
      .type('form')
      .send({ username: kept(email), password: kept(password) });

  it("records each flow among the user's events, and admins' actions on them, with no secret in any event", async () => {
    const { t, smtp, mail } = ctx;
    const adaEmail = kept(uniqueEmail('ada'));
    [P1, P2, P3, PASSWORD].forEach(kept);
    const registered = await t.http.post('/auth/register').send({ email: adaEmail, password: P1 });
    assert.equal(registered.status, 201);
    const adaId = registered.body.id as number;
    await mail.idle();
    const verifyToken = kept(tokenIn(smtp.to(adaEmail)[0], 'verify-email'));
    assert.equal((await t.http.post('/auth/verify-email').send({ token: verifyToken })).status, 204);

    expectProblem(await wrongLogin(adaEmail, 'wrong-guess-1'), 401);
    const unknownEmail = uniqueEmail('nobody');
    expectProblem(await wrongLogin(unknownEmail, 'wrong-guess-2'), 401);
    const pair1 = await loginPair(adaEmail, P1);
    const pair2 = (await refresh(pair1.refresh)).body;
    const pair3 = (await refresh(kept(pair2.refresh_token))).body;
    [pair2.access_token, pair3.access_token, pair3.refresh_token].forEach(kept);
    expectProblem(await refresh(pair1.refresh), 401, 'Invalid refresh token');

    const pair4 = await loginPair(adaEmail, P1);
    const changed = await t.http.post('/users/me/password').set(pair4.auth).send({ current_password: P1, new_password: P2 });
    assert.equal(changed.status, 204, changed.text);
    assert.equal((await t.http.post('/auth/password-reset/request').send({ email: adaEmail })).status, 202);
    await mail.idle();
    const resetToken = kept(tokenIn(smtp.to(adaEmail).at(-1)!, 'reset-password'));
    assert.equal((await t.http.post('/auth/password-reset/confirm').send({ token: resetToken, new_password: P3 })).status, 204);

    const pair5 = await loginPair(adaEmail, P3);
    const pair6 = await loginPair(adaEmail, P3);
    assert.equal((await t.http.delete(`/auth/sessions/${sidOf(pair6.access)}`).set(pair5.auth)).status, 204);
    assert.equal((await t.http.post('/auth/logout-all').set(pair5.auth)).status, 204);

    const admin = await signUpAdmin(t);
    [admin.token, admin.email].forEach(kept);
    for (const role of ['admin', 'user'])
      assert.equal((await t.http.patch(`/admin/users/${adaId}`).set(admin.auth).send({ role })).status, 200);
    await loginPair(adaEmail, P3);
    assert.equal((await t.http.post(`/admin/users/${adaId}/sessions/revoke`).set(admin.auth)).status, 204);
    const pair9 = await loginPair(adaEmail, P3);

    const own = await walkEvents(t.http, pair9.auth, '/users/me/security-events?limit=4');
    assert.ok(
      own.events.every((event) => event.user_id === adaId),
      'only her own events',
    );
    const byAdmin = own.events.filter((event) => event.type.startsWith('admin.'));
    assert.deepEqual(
      byAdmin.map((event) => [event.type, event.actor_id, event.ip, event.user_agent]),
      [
        ['admin.sessions_revoked', admin.id, null, null],
        ['admin.user_updated', admin.id, null, null],
        ['admin.user_updated', admin.id, null, null],
      ],
    );

    const bob = await signUp(t.http, kept(uniqueEmail('bob')));
    kept(bob.token);
    assert.equal((await t.http.delete(`/admin/users/${bob.id}`).set(admin.auth)).status, 204);
    assert.equal((await t.http.post('/users/me/delete').set(pair9.auth).send({ password: P3 })).status, 204);

    const carl = await signUp(t.http, kept(uniqueEmail('carl')));
    kept(carl.token);
    for (let i = 0; i < 3; i += 1) expectProblem(await wrongLogin(carl.email, `carl-guess-${i}`), 401);
    expectProblem(await wrongLogin(carl.email, 'carl-guess-3'), 429);

    // Her events outlive her account, oldest first here.
    const ada = (await walkEvents(t.http, admin.auth, `/admin/audit-events?user_id=${adaId}&limit=5`)).events.toReversed();
    assert.deepEqual(
      ada.map((event) => event.type),
      [
        'email.verified',
        'login.failed',
        'login.succeeded',
        'refresh.reuse_detected',
        'login.succeeded',
        'password.changed',
        'password.reset',
        'login.succeeded',
        'login.succeeded',
        'session.revoked',
        'session.revoked',
        'admin.user_updated',
        'admin.user_updated',
        'login.succeeded',
        'admin.sessions_revoked',
        'login.succeeded',
        'account.deleted',
      ],
    );
    const of = (type: string) => ada.filter((event) => event.type === type);
    assert.deepEqual(of('login.failed')[0].details, { reason: 'wrong_password' });
    assert.deepEqual(of('login.succeeded')[0].details, { session_id: sidOf(pair1.access), mfa: false });
    assert.equal(of('login.succeeded')[0].user_agent, UA);
    assert.match(String(of('login.succeeded')[0].ip), /^(127\.0\.0\.1|::1)$/);
    assert.deepEqual(of('refresh.reuse_detected')[0].details, { session_id: sidOf(pair1.access) });
    assert.deepEqual(of('session.revoked')[0].details, { session_id: sidOf(pair6.access) });
    assert.deepEqual(of('session.revoked')[1].details, { reason: 'logout_all', sessions_ended: 1 });
    assert.deepEqual(
      of('admin.user_updated').map((event) => event.details),
      [{ role: 'admin' }, { role: 'user' }],
    );
    assert.deepEqual(of('admin.sessions_revoked')[0].details, { sessions_ended: 1 });
    assert.ok(of('admin.sessions_revoked')[0].ip, "the admins' view shows where an admin acted from");
    assert.deepEqual(of('password.reset')[0].details, { sessions_ended: 1 });
    const actors = Object.fromEntries(ada.map((event) => [event.type, event.actor_id]));
    assert.deepEqual(
      [
        actors['password.changed'],
        actors['password.reset'],
        actors['email.verified'],
        actors['login.succeeded'],
        actors['account.deleted'],
      ],
      [adaId, null, null, null, adaId],
    );

    const all = await walkEvents(t.http, admin.auth, '/admin/audit-events?limit=7');
    assertNewestFirst(all.events);
    const rows = await t.app
      .get(DataSource)
      .query<{ id: string; json: string }[]>('SELECT id, row_to_json(e)::text AS json FROM audit_events e ORDER BY id');
    assert.deepEqual(
      all.events.map((event) => event.id).sort((a, b) => a - b),
      rows.map((row) => Number(row.id)),
      'the walk read every row once',
    );
    const others = all.events.filter((event) => event.user_id !== adaId);
    const pick = (event: EventOut) => [event.type, event.user_id, event.actor_id, event.details];
    assert.deepEqual(others.filter((event) => event.user_id === null).map(pick), [
      ['login.failed', null, null, { reason: 'unknown_email' }],
    ]);
    assert.deepEqual(
      others
        .filter((event) => event.user_id === bob.id)
        .map(pick)
        .toReversed(),
      [
        ['login.succeeded', bob.id, null, { session_id: sidOf(bob.token), mfa: false }],
        ['admin.user_deleted', bob.id, admin.id, {}],
      ],
    );
    assert.deepEqual(
      others
        .filter((event) => event.user_id === carl.id)
        .map((event) => event.type)
        .toReversed(),
      ['login.succeeded', 'login.failed', 'login.failed', 'login.failed', 'login.throttled'],
    );
    assert.deepEqual(others.find((event) => event.type === 'login.throttled')?.details, { attempts: 4, during: 'login' });

    for (const row of rows) for (const secret of secrets) assert.ok(!row.json.includes(secret), `event ${row.json} holds ${secret}`);
    const listed = JSON.stringify(all.events);
    for (const secret of secrets) assert.ok(!listed.includes(secret), `the list shows ${secret}`);
  });

  it('records a throttled re-entered password as a throttled sign-in of the account', async () => {
    const { t } = ctx;
    const dora = await signUp(t.http);
    const change = (current: string) =>
      t.http.post('/users/me/password').set(dora.auth).send({ current_password: current, new_password: P2 });
    for (let i = 0; i < 3; i += 1) expectProblem(await change(`dora-guess-${i}`), 401, 'Current password is incorrect');
    expectProblem(await change(dora.password), 429);
    const { events } = await walkEvents(t.http, dora.auth, '/users/me/security-events');
    assert.deepEqual(
      events.map((event) => [event.type, event.details]),
      [
        ['login.throttled', { attempts: 4, during: 'password_check' }],
        ['login.succeeded', { session_id: sidOf(dora.token), mfa: false }],
      ],
    );
  });
});
