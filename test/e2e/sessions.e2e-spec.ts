import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { SchedulerRegistry } from '@nestjs/schedule';
import jwt from 'jsonwebtoken';
import { DataSource, LessThanOrEqual } from 'typeorm';
import { purgeInBatches } from '../../src/database/purge-in-batches.js';
import { Session } from '../../src/sessions/session.entity.js';
import { SessionPurgeService } from '../../src/sessions/session-purge.service.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, PASSWORD, signUp, signUpAdmin, uniqueEmail } from '../support/factories.js';
import { type LostAnswerProxy, startAppBehindLostAnswerProxy } from '../support/lost-answer-proxy.js';

interface Pair {
  access_token: string;
  refresh_token: string;
  auth: { Authorization: string };
}

describe('sessions', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ REFRESH_TOKEN_REUSE_GRACE_SECONDS: '0' });
  });
  after(() => t.close());
  afterEach(() => t.reset());

  const pairOf = (body: { access_token: string; refresh_token: string }): Pair => ({
    ...body,
    auth: { Authorization: `Bearer ${body.access_token}` },
  });

  const loginPair = async (email: string, password = PASSWORD, userAgent = 'test-agent'): Promise<Pair> => {
    const res = await t.http.post('/auth/login').set('User-Agent', userAgent).type('form').send({ username: email, password });
    assert.equal(res.status, 200, res.text);
    return pairOf(res.body);
  };

  const refresh = (refreshToken: unknown) => t.http.post('/auth/refresh').send({ refresh_token: refreshToken });
  const me = (pair: Pair) => t.http.get('/users/me').set(pair.auth);
  const sidOf = (pair: Pair) => (jwt.decode(pair.access_token) as { sid: number }).sid;

  it('loads the user of each request with its session, and without the password hash', async () => {
    const user = await signUp(t.http);
    const sessions = t.app.get(SessionsService);
    const live = await sessions.findUserForSession(user.id, sidOf(pairOf({ access_token: user.token, refresh_token: '' })));
    assert.equal(live.sessionLive, true);
    assert.equal(live.user?.email, user.email);
    assert.equal(live.user?.createdAt instanceof Date, true);
    assert.equal('hashedPassword' in live.user, false, 'the hash stays in the database');
    assert.equal((await sessions.findUserForSession(user.id, 999_999)).sessionLive, false);
    assert.deepEqual(await sessions.findUserForSession(999_999, 1), { user: null, sessionLive: false });
  });

  it('rotates: a refresh spends the token and returns a new pair in the same session', async () => {
    const user = await signUp(t.http);
    const first = await loginPair(user.email);
    const res = await refresh(first.refresh_token);
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    const second = pairOf(res.body);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(sidOf(second), sidOf(first));
    assert.equal((await me(second)).status, 200);
    assert.equal((await me(first)).status, 200, 'the earlier access token lives until it expires');
    assert.equal((await refresh(second.refresh_token)).status, 200);
  });

  it('rotates through the OAuth2 token endpoint with grant_type=refresh_token', async () => {
    const user = await signUp(t.http);
    const first = await loginPair(user.email);
    const res = await t.http.post('/auth/login').type('form').send({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal((await me(pairOf(res.body))).status, 200);
    const missing = expectProblem(await t.http.post('/auth/login').type('form').send({ grant_type: 'refresh_token' }), 422);
    assert.deepEqual(
      missing.errors?.map((e) => e.field),
      ['refresh_token'],
    );
  });

  it('keeps rotating, and telling a replay from a retry, once refresh token ids pass 2^31', async () => {
    // Every refresh spends an id: a 32-bit identity would run out within weeks at scale.
    await t.app.get(DataSource).query('ALTER TABLE refresh_tokens ALTER COLUMN id RESTART WITH 2147483647');
    const user = await signUp(t.http);
    const first = await loginPair(user.email);
    const second = pairOf((await refresh(first.refresh_token)).body);
    const third = pairOf((await refresh(second.refresh_token)).body);
    assert.equal((await me(third)).status, 200);
    const [{ max }] = await t.app.get(DataSource).query('SELECT max(id)::text AS max FROM refresh_tokens');
    assert.ok(BigInt(max) > 2_147_483_648n, max);
    expectProblem(await refresh(first.refresh_token), 401, 'Invalid refresh token');
    expectProblem(await me(third), 401, 'Session ended');
  });

  it('treats a spent token presented again as theft: the whole session ends, other sessions live on', async () => {
    const user = await signUp(t.http);
    const phone = await loginPair(user.email, PASSWORD, 'phone');
    const laptop = await loginPair(user.email, PASSWORD, 'laptop');
    const next = pairOf((await refresh(phone.refresh_token)).body);

    const replay = await refresh(phone.refresh_token);
    expectProblem(replay, 401, 'Invalid refresh token');
    expectProblem(await refresh(next.refresh_token), 401, 'Invalid refresh token');
    expectProblem(await me(next), 401, 'Session ended');
    expectProblem(await me(phone), 401, 'Session ended');

    assert.equal((await me(laptop)).status, 200);
    assert.equal((await refresh(laptop.refresh_token)).status, 200);
    const [row] = await t.app.get(DataSource).query('SELECT revoked_reason FROM sessions WHERE id = $1', [sidOf(phone)]);
    assert.equal(row.revoked_reason, 'refresh_token_reuse');
  });

  // Meaningful on PostgreSQL, where the requests really overlap; the embedded database queues them.
  it('lets one of ten simultaneous refreshes win; with no grace window the replays then end the session', async () => {
    const user = await signUp(t.http);
    const pair = await loginPair(user.email);
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(pair.refresh_token)));
    const statuses = results.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 200 || s === 401),
      `no 5xx: ${statuses}`,
    );
    assert.equal(statuses.filter((s) => s === 200).length, 1, `exactly one successor: ${statuses}`);
    const [{ count }] = await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS count FROM refresh_tokens WHERE session_id = $1', [sidOf(pair)]);
    assert.equal(count, 2, 'the token and its one successor');
    const winner = pairOf(results.find((r) => r.status === 200)!.body);
    expectProblem(await me(winner), 401, 'Session ended');
  });

  it('keeps the absolute expiry through rotations and records the last use', async () => {
    const user = await signUp(t.http);
    const pair = await loginPair(user.email);
    const db = t.app.get(DataSource);
    const read = async () => (await db.query('SELECT expires_at, last_used_at FROM sessions WHERE id = $1', [sidOf(pair)]))[0];
    const before = await read();
    await db.query("UPDATE sessions SET last_used_at = last_used_at - interval '1 hour' WHERE id = $1", [sidOf(pair)]);
    await refresh(pair.refresh_token);
    const after = await read();
    assert.equal(after.expires_at.getTime(), before.expires_at.getTime());
    assert.ok(after.last_used_at.getTime() >= before.last_used_at.getTime());
    const lifetime = (before.expires_at.getTime() - before.last_used_at.getTime()) / 1000;
    assert.ok(Math.abs(lifetime - 14 * 86_400) < 5, `REFRESH_TOKEN_TTL from the login, got ${lifetime}s`);
  });

  it('answers two logouts racing with one token with 204 or 401, never 404', async () => {
    const user = await signUp(t.http);
    const pair = await loginPair(user.email);
    const statuses = (await Promise.all(Array.from({ length: 5 }, () => t.http.post('/auth/logout').set(pair.auth)))).map((r) => r.status);
    assert.ok(statuses.includes(204) && statuses.every((s) => s === 204 || s === 401), `${statuses}`);
  });

  it('gives no session to a login racing a password change with the old password', async () => {
    const user = await signUp(t.http);
    const here = await loginPair(user.email);
    const logins = Array.from({ length: 8 }, () =>
      t.http.post('/auth/login').type('form').send({ username: user.email, password: PASSWORD }),
    );
    const change = t.http
      .post('/users/me/password')
      .set(here.auth)
      .send({ current_password: PASSWORD, new_password: 'amber-falcon-river-77' });
    const [changed, ...raced] = await Promise.all([change, ...logins]);
    assert.equal(changed.status, 204);
    for (const res of raced) {
      assert.ok(res.status === 200 || res.status === 401, `${res.status} ${res.text}`);
      if (res.status === 200) {
        expectProblem(await me(pairOf(res.body)), 401, 'Session ended');
        expectProblem(await refresh(res.body.refresh_token), 401);
      }
    }
    expectProblem(await t.http.post('/auth/login').type('form').send({ username: user.email, password: PASSWORD }), 401);
  });

  it('starts a session only over the hash that was verified, for an active user, and otherwise writes nothing', async () => {
    const user = await signUp(t.http);
    const sessions = t.app.get(SessionsService);
    const db = t.app.get(DataSource);
    const client = { userAgent: 'direct', ip: '192.0.2.7' };
    const rows = async () =>
      (
        await db.query<{ sessions: number; tokens: number }[]>(
          `SELECT (SELECT count(*) FROM sessions WHERE user_id = $1)::int AS sessions,
                (SELECT count(*) FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE s.user_id = $1)::int AS tokens`,
          [user.id],
        )
      )[0];
    const before = await rows();
    const [{ hashed_password: hash }] = await db.query<{ hashed_password: string }[]>('SELECT hashed_password FROM users WHERE id = $1', [
      user.id,
    ]);

    await assert.rejects(sessions.start(user.id, `${hash}x`, client, false), { status: 401 });
    await assert.rejects(sessions.start(2_000_000_000, hash, client, false), { status: 401 });
    await db.query('UPDATE users SET is_active = false WHERE id = $1', [user.id]);
    await assert.rejects(sessions.start(user.id, hash, client, false), { status: 403 });
    assert.deepEqual(await rows(), before);

    await db.query('UPDATE users SET is_active = true WHERE id = $1', [user.id]);
    const started = await sessions.start(user.id, hash, client, false);
    assert.deepEqual(await rows(), { sessions: before.sessions + 1, tokens: before.tokens + 1 });
    const [session] = await db.query<{ user_agent: string; ip: string; long_lived: boolean }[]>(
      "SELECT user_agent, ip, expires_at > now() + interval '1 day' AS long_lived FROM sessions WHERE id = $1",
      [started.sessionId],
    );
    assert.deepEqual(session, { user_agent: 'direct', ip: '192.0.2.7', long_lived: true });
    const pair = pairOf((await refresh(started.refreshToken)).body);
    assert.equal((await me(pair)).status, 200, 'its refresh token works');
  });

  it('answers a refresh racing the user’s deletion with 200 or 401, and the deletion with 204', async () => {
    const admin = await signUpAdmin(t);
    const user = await signUp(t.http);
    const pair = await loginPair(user.email);
    const [deleted, refreshed] = await Promise.all([t.http.delete(`/admin/users/${user.id}`).set(admin.auth), refresh(pair.refresh_token)]);
    assert.equal(deleted.status, 204, deleted.text);
    assert.ok(refreshed.status === 200 || refreshed.status === 401, refreshed.text);
    if (refreshed.status === 200) expectProblem(await me(pairOf(refreshed.body)), 401);
  });

  it('refuses every bad refresh token with the same 401 and no 5xx', async () => {
    const user = await signUp(t.http);
    const pair = await loginPair(user.email);
    const spent = pair.refresh_token;
    await refresh(spent);
    const bodies = [];
    for (const token of ['', 'x', 'A'.repeat(43), 'a'.repeat(10 * 1024), "' OR 1=1 --", pair.access_token, spent]) {
      const res = await refresh(token);
      bodies.push(expectProblem(res, 401));
    }
    for (const body of bodies) assert.deepEqual(body, bodies[0]);
    expectProblem(await refresh(undefined), 422);
    expectProblem(await refresh(42), 422);
  });

  it('refuses a refresh token presented as a bearer token', async () => {
    const user = await signUp(t.http);
    const pair = await loginPair(user.email);
    expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${pair.refresh_token}`), 401);
  });

  it('logout ends this session at once: its access and refresh tokens stop working', async () => {
    const user = await signUp(t.http);
    const pair = await loginPair(user.email);
    const other = await loginPair(user.email);
    assert.equal((await t.http.post('/auth/logout').set(pair.auth)).status, 204);
    expectProblem(await me(pair), 401, 'Session ended');
    expectProblem(await refresh(pair.refresh_token), 401);
    assert.equal((await me(other)).status, 200, 'other devices stay signed in');
    expectProblem(await t.http.post('/auth/logout'), 401);
  });

  it('logout-all ends every session of the caller, and only theirs', async () => {
    const user = await signUp(t.http);
    const stranger = await signUp(t.http);
    const a = await loginPair(user.email);
    const b = await loginPair(user.email);
    assert.equal((await t.http.post('/auth/logout-all').set(a.auth)).status, 204);
    for (const pair of [a, b]) {
      expectProblem(await me(pair), 401, 'Session ended');
      expectProblem(await refresh(pair.refresh_token), 401);
    }
    assert.equal((await t.http.get('/users/me').set(stranger.auth)).status, 200);
  });

  it('lists the caller’s live sessions, marking the current one, and ends one by id', async () => {
    const user = await signUp(t.http);
    const phone = await loginPair(user.email, PASSWORD, 'phone-agent');
    const laptop = await loginPair(user.email, PASSWORD, 'laptop-agent');
    const list = await t.http.get('/auth/sessions').set(laptop.auth);
    assert.equal(list.status, 200);
    const mine = list.body as { id: number; current: boolean; user_agent: string; ip: string }[];
    assert.equal(mine.length, 3, 'signUp logged in once too');
    assert.deepEqual(Object.keys(mine[0]).sort(), ['created_at', 'current', 'id', 'ip', 'last_used_at', 'user_agent']);
    assert.deepEqual(
      mine.filter((s) => s.current).map((s) => s.id),
      [sidOf(laptop)],
    );
    assert.ok(mine.some((s) => s.user_agent === 'phone-agent'));
    assert.ok(mine.every((s) => typeof s.ip === 'string' && s.ip.length > 0));

    assert.equal((await t.http.delete(`/auth/sessions/${sidOf(phone)}`).set(laptop.auth)).status, 204);
    expectProblem(await me(phone), 401, 'Session ended');
    expectProblem(await t.http.delete(`/auth/sessions/${sidOf(phone)}`).set(laptop.auth), 404, 'Session not found');
    const after = await t.http.get('/auth/sessions').set(laptop.auth);
    assert.equal(after.body.length, 2);

    const stranger = await signUp(t.http);
    expectProblem(await t.http.delete(`/auth/sessions/${sidOf(laptop)}`).set(stranger.auth), 404, 'Session not found');
    assert.equal((await me(laptop)).status, 200, 'another user cannot end my session');
    expectProblem(await t.http.delete('/auth/sessions/abc').set(laptop.auth), 422);
  });

  it('changes the password: the current password is checked, the policy applies, other sessions end', async () => {
    const user = await signUp(t.http);
    const here = await loginPair(user.email);
    const elsewhere = await loginPair(user.email);
    const change = (body: object) => t.http.post('/users/me/password').set(here.auth).send(body);

    expectProblem(
      await change({ current_password: 'wrong-password-1', new_password: 'amber-falcon-river-77' }),
      401,
      'Current password is incorrect',
    );
    const weak = expectProblem(await change({ current_password: PASSWORD, new_password: 'password' }), 422);
    assert.deepEqual(
      weak.errors?.map((e) => e.field),
      ['new_password'],
    );
    assert.equal((await me(elsewhere)).status, 200, 'refusals change nothing');

    assert.equal((await change({ current_password: PASSWORD, new_password: 'amber-falcon-river-77' })).status, 204);
    assert.equal((await me(here)).status, 200, 'this session stays');
    assert.equal((await refresh(here.refresh_token)).status, 200, 'and can still refresh');
    expectProblem(await me(elsewhere), 401, 'Session ended');
    expectProblem(await refresh(elsewhere.refresh_token), 401);
    expectProblem(await t.http.post('/auth/login').type('form').send({ username: user.email, password: PASSWORD }), 401);
    await loginPair(user.email, 'amber-falcon-river-77');
  });

  it('refuses a new password equal to the current one, as the hash compares it (after NFKC), and changes nothing', async () => {
    const user = await signUp(t.http, uniqueEmail(), 'o\uFB03ce-kettle-42');
    const elsewhere = await loginPair(user.email, user.password);
    for (const newPassword of ['o\uFB03ce-kettle-42', 'office-kettle-42']) {
      const res = await t.http
        .post('/users/me/password')
        .set(user.auth)
        .send({ current_password: user.password, new_password: newPassword });
      const body = expectProblem(res, 422);
      assert.deepEqual(body.errors, [
        { field: 'new_password', message: 'new_password must differ from the current password', code: 'invalid_value' },
      ]);
    }
    assert.equal((await me(elsewhere)).status, 200, 'no session ended');
    assert.equal(
      (await t.http.post('/users/me/password').set(user.auth).send({ current_password: user.password, new_password: 'office-kettle-43' }))
        .status,
      204,
    );
  });

  it('ends a user’s sessions when an admin deactivates them, changes their role or deletes them', async () => {
    const admin = await signUpAdmin(t);
    const user = await signUp(t.http);
    const pair = await loginPair(user.email);
    await t.http.patch(`/admin/users/${user.id}`).set(admin.auth).send({ is_active: false });
    await t.http.patch(`/admin/users/${user.id}`).set(admin.auth).send({ is_active: true });
    expectProblem(await me(pair), 401, 'Session ended');
    expectProblem(await refresh(pair.refresh_token), 401);

    const again = await loginPair(user.email);
    await t.http.patch(`/admin/users/${user.id}`).set(admin.auth).send({ role: 'admin' });
    expectProblem(await me(again), 401, 'Session ended');

    const third = await loginPair(user.email);
    assert.equal((await t.http.delete(`/admin/users/${user.id}`).set(admin.auth)).status, 204);
    expectProblem(await me(third), 401);
    expectProblem(await refresh(third.refresh_token), 401);
    const [{ count }] = await t.app.get(DataSource).query('SELECT count(*)::int AS count FROM sessions WHERE user_id = $1', [user.id]);
    assert.equal(count, 0, 'deleted with the user');
  });

  it('refuses a refresh past the session’s absolute expiry', async () => {
    const user = await signUp(t.http);
    const pair = await loginPair(user.email);
    await t.app.get(DataSource).query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [sidOf(pair)]);
    expectProblem(await refresh(pair.refresh_token), 401, 'Invalid refresh token');
    expectProblem(await me(pair), 401, 'Session ended');
  });

  it('purges expired sessions and those revoked over a day ago, with their tokens', async () => {
    const user = await signUp(t.http);
    const live = await loginPair(user.email);
    const expired = await loginPair(user.email);
    const revokedLongAgo = await loginPair(user.email);
    const revokedNow = await loginPair(user.email);
    const db = t.app.get(DataSource);
    await db.query("UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE id = $1", [sidOf(expired)]);
    await db.query("UPDATE sessions SET revoked_at = now() - interval '2 days' WHERE id = $1", [sidOf(revokedLongAgo)]);
    await t.http.post('/auth/logout').set(revokedNow.auth);

    assert.ok(t.app.get(SchedulerRegistry).getCronJob('purge-sessions'), 'the purge is scheduled');
    assert.equal(await t.app.get(SessionPurgeService).purge(), 2);
    const rows = await db.query('SELECT id FROM sessions WHERE user_id = $1 ORDER BY id', [user.id]);
    const ids = rows.map((r: { id: number }) => r.id);
    assert.ok(ids.includes(sidOf(live)) && ids.includes(sidOf(revokedNow)));
    assert.ok(!ids.includes(sidOf(expired)) && !ids.includes(sidOf(revokedLongAgo)));
    const [{ orphans }] = await db.query('SELECT count(*)::int AS orphans FROM refresh_tokens WHERE session_id = ANY($1::int[])', [
      [sidOf(expired), sidOf(revokedLongAgo)],
    ]);
    assert.equal(orphans, 0);
  });

  it('purges in bounded batches until a batch comes back short', async () => {
    const user = await signUp(t.http);
    const db = t.app.get(DataSource);
    const sessions = db.getRepository(Session);
    await db.query(
      `INSERT INTO sessions (user_id, last_used_at, expires_at) SELECT $1, now(), now() - interval '1 minute' FROM generate_series(1, 7)`,
      [user.id],
    );
    assert.equal(await purgeInBatches(sessions, 'expires_at <= now()', 2), 7, 'three full batches, then a short one');
    assert.equal(await sessions.countBy({ userId: user.id, expiresAt: LessThanOrEqual(new Date()) }), 0);
    assert.equal(await sessions.countBy({ userId: user.id }), 1, 'the live session stays');
  });

  it('documents the refresh URL for Swagger UI and the new routes', async () => {
    const doc = (await t.http.get('/openapi.json')).body;
    assert.equal(doc.components.securitySchemes.oauth2.flows.password.refreshUrl, '/auth/login');
    for (const [path, method] of [
      ['/auth/refresh', 'post'],
      ['/auth/logout', 'post'],
      ['/auth/logout-all', 'post'],
      ['/auth/sessions', 'get'],
      ['/auth/sessions/{id}', 'delete'],
      ['/users/me/password', 'post'],
    ]) {
      const operation = doc.paths[path]?.[method];
      assert.ok(operation, `${method} ${path}`);
      assert.ok(operation.responses['401'], `${method} ${path} documents 401`);
    }
    // No access token needed: the body's refresh token, or the refresh cookie.
    assert.deepEqual(doc.paths['/auth/refresh'].post.security, [{}, { refresh_cookie: [] }]);
  });
});

describe('sessions with a reuse grace window', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ REFRESH_TOKEN_REUSE_GRACE_SECONDS: '5' });
  });
  after(() => t.close());

  const freshSession = async () => {
    const email = uniqueEmail();
    await signUp(t.http, email);
    return (await t.http.post('/auth/login').type('form').send({ username: email, password: PASSWORD })).body as {
      access_token: string;
      refresh_token: string;
    };
  };

  it('renews a replay of the immediate parent inside the window, once; a second replay ends the session', async () => {
    const email = uniqueEmail();
    await signUp(t.http, email);
    const login = await t.http.post('/auth/login').type('form').send({ username: email, password: PASSWORD });
    const parent = login.body.refresh_token as string;
    assert.equal((await t.http.post('/auth/refresh').send({ refresh_token: parent })).status, 200);

    const replay = await t.http.post('/auth/refresh').send({ refresh_token: parent });
    assert.equal(replay.status, 200, replay.text);
    assert.equal((await t.http.get('/users/me').set('Authorization', `Bearer ${replay.body.access_token}`)).status, 200);

    // Renewed once: the parent is now an older ancestor, theft even inside the window.
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: parent }), 401);
    expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${replay.body.access_token}`), 401, 'Session ended');
  });

  it('lets the renewed token rotate as any other', async () => {
    const first = await freshSession();
    assert.equal((await t.http.post('/auth/refresh').send({ refresh_token: first.refresh_token })).status, 200);
    const replay = await t.http.post('/auth/refresh').send({ refresh_token: first.refresh_token });
    const next = await t.http.post('/auth/refresh').send({ refresh_token: replay.body.refresh_token });
    assert.equal(next.status, 200, next.text);
    assert.equal((await t.http.get('/users/me').set('Authorization', `Bearer ${next.body.access_token}`)).status, 200);
  });

  it('catches a thief who replays the parent with a copied user agent once the victim uses the superseded token', async () => {
    const email = uniqueEmail();
    await signUp(t.http, email);
    const login = await t.http
      .post('/auth/login')
      .set('User-Agent', 'victim-app/1')
      .type('form')
      .send({ username: email, password: PASSWORD });
    const parent = login.body.refresh_token as string;
    const victim = await t.http.post('/auth/refresh').set('User-Agent', 'victim-app/1').send({ refresh_token: parent });
    assert.equal(victim.status, 200);
    const thief = await t.http.post('/auth/refresh').set('User-Agent', 'victim-app/1').send({ refresh_token: parent });
    assert.equal(thief.status, 200, 'inside the window the replay looks like a lost answer');

    expectProblem(
      await t.http.post('/auth/refresh').set('User-Agent', 'victim-app/1').send({ refresh_token: victim.body.refresh_token }),
      401,
    );
    expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${thief.body.access_token}`), 401, 'Session ended');
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: thief.body.refresh_token }), 401);
  });

  it('ends the session for a replay after the window', async () => {
    const first = await freshSession();
    const second = (await t.http.post('/auth/refresh').send({ refresh_token: first.refresh_token })).body;
    await t.app.get(DataSource).query("UPDATE refresh_tokens SET used_at = used_at - interval '6 seconds' WHERE used_at IS NOT NULL");
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: first.refresh_token }), 401);
    expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${second.access_token}`), 401, 'Session ended');
  });

  it('ends the session when the replay comes from another browser than the refresh that won', async () => {
    const first = await freshSession();
    const thief = await t.http.post('/auth/refresh').set('User-Agent', 'thief-agent').send({ refresh_token: first.refresh_token });
    assert.equal(thief.status, 200);
    expectProblem(await t.http.post('/auth/refresh').set('User-Agent', 'victim-agent').send({ refresh_token: first.refresh_token }), 401);
    expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${thief.body.access_token}`), 401, 'Session ended');
  });

  it('lets one of ten simultaneous refreshes rotate and one renew; the other replays end the session', async () => {
    const first = await freshSession();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.http.post('/auth/refresh').send({ refresh_token: first.refresh_token })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [...Array(2).fill(200), ...Array(8).fill(401)]);
    for (const granted of results.filter((r) => r.status === 200)) {
      expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${granted.body.access_token}`), 401, 'Session ended');
    }
  });
});

describe('sessions after a refresh whose answer was lost (default settings)', () => {
  let t: TestApp;
  let proxy: LostAnswerProxy;
  let close: () => Promise<void>;
  before(async () => ({ t, proxy, close } = await startAppBehindLostAnswerProxy()));
  after(() => close());
  afterEach(() => t.reset());

  const AGENT = 'todo-app/2.1';
  const refresh = (token: string) => t.http.post('/auth/refresh').set('User-Agent', AGENT).send({ refresh_token: token });
  const me = (accessToken: string) => t.http.get('/users/me').set('Authorization', `Bearer ${accessToken}`);

  it('gives a retry with the same token a fresh pair, keeps the session and refuses the lost successor', async () => {
    const user = await signUp(t.http);
    const login = await t.http.post('/auth/login').set('User-Agent', AGENT).type('form').send({ username: user.email, password: PASSWORD });
    const first = login.body as { access_token: string; refresh_token: string };
    const lost = fetch(`${proxy.url}/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': AGENT },
      body: JSON.stringify({ refresh_token: first.refresh_token }),
    });
    await assert.rejects(lost, 'the proxy loses the answer');
    const lostAnswer = await proxy.lastAnswer();
    assert.equal(lostAnswer.status, 200, 'the server did rotate');
    const lostPair = lostAnswer.body as { refresh_token: string };

    const retry = await refresh(first.refresh_token);
    assert.equal(retry.status, 200, retry.text);
    assert.notEqual(retry.body.refresh_token, lostPair.refresh_token);
    assert.equal((jwt.decode(retry.body.access_token) as { sid: number }).sid, (jwt.decode(first.access_token) as { sid: number }).sid);
    assert.equal((await me(retry.body.access_token)).status, 200);

    const next = await refresh(retry.body.refresh_token);
    assert.equal(next.status, 200, 'the session goes on');
    assert.equal((await me(next.body.access_token)).status, 200);

    // The lost pair never reached the client: whoever presents it holds a copy, which is theft.
    expectProblem(await refresh(lostPair.refresh_token), 401, 'Invalid refresh token');
    expectProblem(await me(next.body.access_token), 401, 'Session ended');
  });
});
