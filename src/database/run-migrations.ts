import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { DataSource, Migration } from 'typeorm';

const logger = new Logger('Migrations');

/** Arbitrary key of the session-level advisory lock held while migrations run. */
const MIGRATIONS_LOCK = 7_301_000;
/** How often an instance asks for the lock another instance holds. */
const LOCK_POLL_MS = 250;

/**
 * Runs pending migrations while holding an advisory lock, so instances starting together on one
 * PostgreSQL take turns instead of racing to create the same tables. The embedded database has
 * one connection and one process (its directory is locked), so it needs no such lock.
 *
 * The lock is asked for again and again rather than waited for inside PostgreSQL: a statement
 * blocked in `pg_advisory_lock` holds a snapshot, and `CREATE INDEX CONCURRENTLY`, run by the
 * instance holding the lock, waits for every older snapshot to end. Each would wait for the other
 * for ever, and PostgreSQL sees no deadlock (the lock is held by another of the holder's sessions).
 */
export async function runMigrations(dataSource: DataSource, embedded: boolean): Promise<void> {
  if (embedded) {
    report(await dataSource.runMigrations({ transaction: 'each' }));
    return;
  }
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    while (!(await lockHolder.query('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATIONS_LOCK]))[0].locked) await sleep(LOCK_POLL_MS);
    try {
      report(await dataSource.runMigrations({ transaction: 'each' }));
    } finally {
      await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATIONS_LOCK]);
    }
  } finally {
    await lockHolder.release();
  }
}

/** One line per migration applied, or one saying there was none, so a start shows the schema it left. */
function report(applied: Migration[]): void {
  if (applied.length === 0) logger.log('no pending migrations');
  for (const { name } of applied) logger.log({ migration: name }, 'migration applied');
}
