import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { runMigrations } from '../../src/database/run-migrations.js';
import { connectPg } from '../support/pg-client.js';
import { until } from '../support/until.js';

/** A migration that needs the strongest lock on a table the live traffic uses. */
class AddColumn1700000000000 implements MigrationInterface {
  name = 'AddColumn1700000000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE lock_probe ADD COLUMN added integer');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE lock_probe DROP COLUMN added');
  }
}

/**
 * A migration on a live database meets transactions that hold its table. It waits at most
 * `lock_timeout`, so requests queued behind it wait no longer, and is retried, then given up on.
 * Needs PostgreSQL (a second connection holds the table).
 */
describe('migrations and the locks of a live database', () => {
  const url = process.env.DATABASE_URL;
  let holder: pg.Client;
  let dataSource: DataSource;
  const columns = async () =>
    (
      await holder.query<{ name: string }>("SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'lock_probe'")
    ).rows.map((row) => row.name);
  before(async () => {
    holder = await connectPg(url);
    await holder.query('CREATE TABLE lock_probe (id integer)');
    dataSource = await new DataSource({
      type: 'postgres',
      url,
      migrations: [AddColumn1700000000000],
      migrationsTableName: 'lock_probe_migrations',
      poolSize: 2,
    }).initialize();
  });
  after(async () => {
    // The client is ended whatever failed before it (the set-up too): left open, it keeps the run from ending.
    try {
      await dataSource?.destroy();
      await holder?.query('DROP TABLE IF EXISTS lock_probe, lock_probe_migrations');
    } finally {
      await holder?.end();
    }
  });

  it('gives up after its retries while a transaction holds the table, leaving nothing applied and the pool as it was', async () => {
    await holder.query('BEGIN');
    await holder.query('SELECT * FROM lock_probe');
    try {
      await assert.rejects(runMigrations(dataSource, false, { lockTimeoutMs: 50, retries: 2, retryWaitMs: 10 }), /lock timeout/);
    } finally {
      await holder.query('COMMIT');
    }
    assert.deepEqual(await columns(), ['id']);
    // Every connection of the pool, the migrations' one included, has the server's default again.
    const settings = await Promise.all([1, 2].map(() => dataSource.query<{ lock_timeout: string }[]>('SHOW lock_timeout')));
    assert.deepEqual(
      settings.map(([row]) => row.lock_timeout),
      ['0', '0'],
    );
  });

  it('applies once the table is free within its lock timeout', async () => {
    await holder.query('BEGIN');
    await holder.query('SELECT * FROM lock_probe');
    const run = runMigrations(dataSource, false, { lockTimeoutMs: 60_000, retries: 0 });
    try {
      await until('the migration waits for the lock', async () => {
        // Inside a transaction the activity view is a snapshot taken at its first read.
        await holder.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await holder.query(
          "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'ALTER TABLE lock_probe%'",
        );
        return rows.length === 1;
      });
    } finally {
      await holder.query('COMMIT');
    }
    await run;
    assert.deepEqual((await columns()).sort(), ['added', 'id']);
  });
});
