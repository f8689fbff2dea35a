import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { purgeInBatches } from '../../src/database/purge-in-batches.js';
import { Session } from '../../src/sessions/session.entity.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { signUp } from '../support/factories.js';
import { connectPg } from '../support/pg-client.js';

/**
 * Every instance runs the hourly purges. One that finds rows another instance's purge has locked
 * goes past them instead of queueing behind that purge. Needs PostgreSQL (a second connection
 * holds the lock).
 */
describe('purges on several instances', () => {
  let t: TestApp;
  let other: pg.Client;
  before(async () => {
    t = await startTestApp();
    other = await connectPg();
  });
  after(async () => {
    // Both are closed whatever failed before (the set-up too): either left open keeps the run from ending.
    try {
      await t?.reset();
    } finally {
      await Promise.all([other?.end(), t?.close()]);
    }
  });

  it('skips the rows another purge holds, and deletes them once they are released', async () => {
    const user = await signUp(t.http);
    const sessions = t.app.get(DataSource).getRepository(Session);
    await sessions.query(
      `INSERT INTO sessions (user_id, last_used_at, expires_at) SELECT $1, now(), now() - interval '1 minute' FROM generate_series(1, 5)`,
      [user.id],
    );
    await other.query('BEGIN');
    // node-postgres reads this bigint as text; the app's own pool reads it as a number.
    const { rows } = await other.query<{ id: string }>(
      'SELECT id FROM sessions WHERE user_id = $1 AND expires_at <= now() ORDER BY id LIMIT 1 FOR UPDATE',
      [user.id],
    );
    try {
      assert.equal(await purgeInBatches(sessions, 'expires_at <= now()', 2), 4);
      const left = await sessions.find({ where: { userId: user.id }, order: { id: 'ASC' } });
      assert.deepEqual(
        left.filter((s) => s.expiresAt <= new Date()).map((s) => s.id),
        [Number(rows[0].id)],
        'only the held one is left',
      );
    } finally {
      await other.query('COMMIT');
    }
    assert.equal(await purgeInBatches(sessions, 'expires_at <= now()', 2), 1);
  });
});
