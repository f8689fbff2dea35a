import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/app.js';
import { signUp } from '../support/factories.js';
import { connectPg } from '../support/pg-client.js';
import { until } from '../support/until.js';

/**
 * A reset link asked for while an admin's deactivation of the account is being committed: the
 * deactivation voids the account's links, and none may slip in beside it. Needs PostgreSQL (a
 * second connection holds the deactivation open).
 */
describe('account tokens racing a deactivation', () => {
  let t: TestApp;
  let db: pg.Client;
  before(async () => {
    t = await startTestApp();
    db = await connectPg();
  });
  after(async () => {
    // Both are closed whatever failed before (the set-up too): either left open keeps the run from ending.
    try {
      await t?.reset();
    } finally {
      await Promise.all([db?.end(), t?.close()]);
    }
  });

  it('issues no reset link for an account whose deactivation commits meanwhile', async () => {
    const user = await signUp(t.http);
    // The deactivation as UsersService.update makes it: row locked, flag cleared, links voided.
    await db.query('BEGIN');
    await db.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.id]);
    await db.query('UPDATE users SET is_active = false WHERE id = $1', [user.id]);
    await db.query('DELETE FROM account_tokens WHERE user_id = $1', [user.id]);
    const request = t.http
      .post('/auth/password-reset/request')
      .send({ email: user.email })
      .then((res) => res.status);
    await until('the reset request waits on the account row', async () => {
      // Inside a transaction the activity view is a snapshot taken at its first read.
      await db.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await db.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH target AS%'`,
      );
      return rows.length > 0;
    });
    await db.query('COMMIT');
    assert.equal(await request, 202);
    const tokens = await t.app.get(DataSource).query<unknown[]>('SELECT id FROM account_tokens WHERE user_id = $1', [user.id]);
    assert.deepEqual(tokens, []);
  });
});
