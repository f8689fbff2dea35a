import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, PASSWORD, signUp } from '../support/factories.js';

describe('per-account bounds', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ TODOS_PER_USER_MAX: '3', SESSIONS_PER_USER_MAX: '2' });
  });
  after(() => t.close());
  afterEach(() => t.reset());

  it('refuses a todo beyond TODOS_PER_USER_MAX with 409, and takes one again once one is deleted', async () => {
    const user = await signUp(t.http);
    const other = await signUp(t.http);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.http
        .post('/todos')
        .set(user.auth)
        .send({ title: `t${i}` });
      assert.equal(res.status, 201);
      ids.push(res.body.id);
    }
    expectProblem(
      await t.http.post('/todos').set(user.auth).send({ title: 'one too many' }),
      409,
      'Todo quota reached: at most 3 todos per user',
      'quota_exceeded',
    );
    assert.equal((await t.http.get('/todos').set(user.auth)).body.length, 3, 'nothing was written');
    assert.equal((await t.http.post('/todos').set(other.auth).send({ title: 'a bound per account' })).status, 201);
    assert.equal((await t.http.delete(`/todos/${ids[0]}`).set(user.auth)).status, 204);
    assert.equal((await t.http.post('/todos').set(user.auth).send({ title: 'room again' })).status, 201);
  });

  it('holds the todo bound exactly under concurrent creates, and counts neither a refused delete nor a replay', async () => {
    const user = await signUp(t.http);
    const other = await signUp(t.http);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.http
          .post('/todos')
          .set(user.auth)
          .send({ title: `race ${i}` }),
      ),
    );
    assert.deepEqual(results.map((res) => res.status).sort(), [201, 201, 201, ...Array<number>(9).fill(409)]);
    const mine = (await t.http.get('/todos').set(user.auth)).body as { id: number }[];
    assert.equal(mine.length, 3);
    // Another user's todo and a missing one are 404s that leave the count as it is.
    assert.equal((await t.http.delete(`/todos/${mine[0].id}`).set(other.auth)).status, 404);
    assert.equal((await t.http.delete('/todos/2147483647').set(user.auth)).status, 404);
    assert.equal((await t.http.post('/todos').set(user.auth).send({ title: 'still full' })).status, 409);
    assert.equal((await t.http.delete(`/todos/${mine[0].id}`).set(user.auth)).status, 204);
    assert.equal((await t.http.delete(`/todos/${mine[0].id}`).set(user.auth)).status, 404, 'a second delete frees nothing more');
    const keyed = () => t.http.post('/todos').set(user.auth).set('Idempotency-Key', 'bound-replay').send({ title: 'once' });
    assert.equal((await keyed()).status, 201);
    assert.equal((await keyed()).status, 201, 'the replay');
    assert.equal((await t.http.post('/todos').set(user.auth).send({ title: 'full again' })).status, 409, 'the replay took no place');
    const [{ count }] = await t.app
      .get(DataSource)
      .query<{ count: number }[]>('SELECT count FROM todo_counts WHERE user_id = $1', [user.id]);
    assert.equal(count, 3);
  });

  it('ends the least recently used session when a login passes SESSIONS_PER_USER_MAX', async () => {
    const user = await signUp(t.http); // signing up logs in: the first session
    const login = async () => {
      const res = await t.http.post('/auth/login').type('form').send({ username: user.email, password: PASSWORD });
      assert.equal(res.status, 200, res.text);
      return res.body as { access_token: string; refresh_token: string };
    };
    const second = await login();
    // The second session is made the least recently used (a refresh would move it to the front).
    await t.app
      .get(DataSource)
      .query(
        `UPDATE sessions SET last_used_at = now() - interval '1 minute' WHERE user_id = $1 AND id <> (SELECT min(id) FROM sessions WHERE user_id = $1)`,
        [user.id],
      );
    const third = await login();
    expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${second.access_token}`), 401, 'Session ended');
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: second.refresh_token }), 401);
    assert.equal((await t.http.get('/users/me').set(user.auth)).status, 200);
    assert.equal((await t.http.get('/users/me').set('Authorization', `Bearer ${third.access_token}`)).status, 200);
    const live = await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL', [user.id]);
    assert.equal(live[0].n, 2);
    const [ended] = await t.app
      .get(DataSource)
      .query(`SELECT revoked_reason FROM sessions WHERE user_id = $1 AND revoked_at IS NOT NULL`, [user.id]);
    assert.equal(ended.revoked_reason, 'session_limit');
  });
});
