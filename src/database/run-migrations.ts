import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { type DataSource, type Migration, MigrationExecutor, type QueryRunner } from 'typeorm';

const logger = new Logger('Migrations');

/** Arbitrary key of the session-level advisory lock held while migrations run. */
const MIGRATIONS_LOCK = 7_301_000;
/** How often an instance asks for the lock another instance holds. */
const LOCK_POLL_MS = 250;

export interface MigrationLockOptions {
  /** `lock_timeout` of the migrations' connection. */
  lockTimeoutMs: number;
  /** How many times a migration refused for its lock timeout is tried again. */
  retries?: number;
  /** The wait before the first retry, doubled before each next one. */
  retryWaitMs?: number;
}

/** PostgreSQL's SQLSTATE for a lock not granted within `lock_timeout`. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Runs pending migrations, each in its own transaction (or none, for one that sets
 * `transaction = false`, as `CREATE INDEX CONCURRENTLY` needs), on one connection that:
 * - holds an advisory lock, so instances starting together on one PostgreSQL take turns instead
 *   of racing to create the same tables;
 * - has `lock_timeout` set, so a migration's statement that cannot get its table lock (a long
 *   transaction holds it) fails quickly instead of queueing every request to that table behind
 *   it; the migration is rolled back and tried again a few times, then the start-up fails.
 * The embedded database has one connection and one process (its directory is locked), so it
 * needs neither.
 *
 * The lock is asked for again and again rather than waited for inside PostgreSQL: a statement
 * blocked in `pg_advisory_lock` holds a snapshot, and `CREATE INDEX CONCURRENTLY`, run by the
 * instance holding the lock, waits for every older snapshot to end. Each would wait for the other
 * for ever, and PostgreSQL sees no deadlock (the lock is held by another of the holder's sessions).
 */
export async function runMigrations(
  dataSource: DataSource,
  embedded: boolean,
  { lockTimeoutMs, retries = 5, retryWaitMs = 1_000 }: MigrationLockOptions,
): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    if (embedded) {
      report(await pending(dataSource, runner));
      return;
    }
    while (!(await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATIONS_LOCK]))[0].locked) await sleep(LOCK_POLL_MS);
    try {
      await runner.query(`SET lock_timeout = ${Math.round(lockTimeoutMs)}`);
      report(await withRetries(() => pending(dataSource, runner), retries, retryWaitMs));
    } finally {
      // The connection goes back to the app's pool: requests keep the server's default.
      await runner.query('RESET lock_timeout');
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATIONS_LOCK]);
    }
  } finally {
    await runner.release();
  }
}

function pending(dataSource: DataSource, runner: QueryRunner): Promise<Migration[]> {
  const executor = new MigrationExecutor(dataSource, runner);
  executor.transaction = 'each';
  return executor.executePendingMigrations();
}

async function withRetries(run: () => Promise<Migration[]>, retries: number, retryWaitMs: number): Promise<Migration[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (error as { code?: string }).code;
      if (code !== LOCK_NOT_AVAILABLE || attempt > retries) throw error;
      const waitMs = retryWaitMs * 2 ** (attempt - 1);
      logger.warn(`a migration waited too long for a lock (attempt ${attempt}): retrying in ${waitMs} ms`);
      await sleep(waitMs);
    }
  }
}

/** One line per migration applied, or one saying there was none, so a start shows the schema it left. */
function report(applied: Migration[]): void {
  if (applied.length === 0) logger.log('no pending migrations');
  for (const { name } of applied) logger.log({ migration: name }, 'migration applied');
}
