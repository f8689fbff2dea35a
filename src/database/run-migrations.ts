import { Logger } from '@nestjs/common';
import type { DataSource, Migration } from 'typeorm';

const logger = new Logger('Migrations');

/** Arbitrary key of the session-level advisory lock held while migrations run. */
const MIGRATIONS_LOCK = 7_301_000;

/**
 * Runs pending migrations while holding an advisory lock, so instances starting together on one
 * PostgreSQL take turns instead of racing to create the same tables. The embedded database has
 * one connection and one process (its directory is locked), so it needs no such lock.
 */
export async function runMigrations(dataSource: DataSource, embedded: boolean): Promise<void> {
  if (embedded) {
    report(await dataSource.runMigrations({ transaction: 'each' }));
    return;
  }
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATIONS_LOCK]);
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
