import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, PASSWORD, signUp } from '../support/factories.js';

describe('per-account bounds', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ SESSIONS_PER_USER_MAX: '2' });
  });
  after(() => t.close());
  afterEach(() => t.reset());

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
