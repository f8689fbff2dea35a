import type { MigrationInterface, QueryRunner } from 'typeorm';
import { buildIndexesConcurrently } from '../src/database/concurrent-indexes.js';

/** Each list shape's index: name, then what follows `ON` in its definition. */
const INDEXES: [string, string][] = [
  // GET /todos, sorted by creation time or by title, either way; the id breaks ties and the cursor's keyset.
  ['IDX_todos_owner_created_id', `"todos" ("owner_id", "created_at", "id")`],
  ['IDX_todos_owner_title_id', `"todos" ("owner_id", "title", "id")`],
  // `q`: substring search (ILIKE '%term%') of three characters or more.
  ['IDX_todos_title_trgm', `"todos" USING gin ("title" gin_trgm_ops)`],
  ['IDX_users_email_trgm', `"users" USING gin ("email" gin_trgm_ops)`],
  // GET /admin/users walks the primary key; its rare filters have their own.
  ['IDX_users_admins_id', `"users" ("id") WHERE "role" = 'admin'`],
  ['IDX_users_inactive_id', `"users" ("id") WHERE "is_active" = false`],
];

/**
 * The lists' indexes, built `CONCURRENTLY`: writes to todos and users go on while they build. That
 * cannot happen in a transaction, so this migration runs outside one (`transaction = false`) and
 * is written to be run again after a failure: an index a failed build left invalid is dropped and
 * built again, one already valid is kept. The old (owner_id, created_at) index goes last, once its
 * successor serves.
 *
 * `down` runs in the revert's transaction, so it drops and builds without `CONCURRENTLY`.
 */
export class ListIndexes1796195919699 implements MigrationInterface {
  name = 'ListIndexes1796195919699';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The old (owner_id, created_at) index goes last, once its successor serves.
    await buildIndexesConcurrently(queryRunner, INDEXES, ['IDX_todos_owner_created']);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "IDX_todos_owner_created" ON "todos" ("owner_id", "created_at")`);
    for (const [name] of INDEXES.toReversed()) await queryRunner.query(`DROP INDEX IF EXISTS "${name}"`);
  }
}
