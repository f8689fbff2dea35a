import type { QueryRunner } from 'typeorm';

/**
 * For a migration that runs outside a transaction (`transaction = false`): builds each index
 * `CONCURRENTLY`, so writes to its table go on meanwhile, then drops the `retired` ones the same
 * way. Safe to run again after a failure: an index a failed build left invalid is dropped and
 * built again, one already valid is kept. Such a build waits for the transactions older than it
 * and blocks no request meanwhile, so the lock timeout the server's migrations run with is lifted
 * for it, then put back. `indexes` are [name, what follows `ON`, and `'unique'` for a unique
 * index]; fixed text from the migration.
 */
export async function buildIndexesConcurrently(
  queryRunner: QueryRunner,
  indexes: [name: string, on: string, kind?: 'unique'][],
  retired: string[] = [],
): Promise<void> {
  const [{ lock_timeout: lockTimeout }] = await queryRunner.query(`SHOW lock_timeout`);
  await queryRunner.query(`SET lock_timeout = 0`);
  try {
    for (const [name, definition, kind] of indexes) {
      const [existing] = await queryRunner.query(
        `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace`,
        [name],
      );
      if (existing?.valid) continue;
      if (existing) await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "${name}"`);
      await queryRunner.query(`CREATE ${kind === 'unique' ? 'UNIQUE ' : ''}INDEX CONCURRENTLY "${name}" ON ${definition}`);
    }
    for (const name of retired) await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "${name}"`);
  } finally {
    await queryRunner.query(`SELECT set_config('lock_timeout', $1, false)`, [lockTimeout]);
  }
}
