import type { MigrationInterface, QueryRunner } from 'typeorm';
import { buildIndexesConcurrently } from '../src/database/concurrent-indexes.js';

/** Name, then what follows `ON` in the definition. */
const INDEXES: [string, string][] = [
  // A search of one owner's titles: the owner and the title's trigrams in one GIN index, so a
  // rare term reads only that owner's matches (the title-only index read every owner's).
  ['IDX_todos_owner_title_trgm', `"todos" USING gin ("owner_id", "title" gin_trgm_ops)`],
  // An account's live sessions: the session list and the login's bound read only these, not the
  // ended sessions an account may hold by the million until the purge.
  ['IDX_sessions_user_live', `"sessions" ("user_id", "last_used_at", "id") WHERE "revoked_at" IS NULL`],
];

/**
 * Indexes the scale benchmark's plans asked for (bench/README.md), built `CONCURRENTLY` outside a
 * transaction as `ListIndexes` builds its own, and like it safe to run again after a failure.
 * `btree_gin` (a trusted extension) lets a GIN index hold the owner beside the trigrams.
 */
export class SearchAndSessionIndexes1796198000000 implements MigrationInterface {
  name = 'SearchAndSessionIndexes1796198000000';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await buildIndexesConcurrently(queryRunner, INDEXES, ['IDX_todos_title_trgm']);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "IDX_todos_title_trgm" ON "todos" USING gin ("title" gin_trgm_ops)`);
    for (const [name] of INDEXES.toReversed()) await queryRunner.query(`DROP INDEX IF EXISTS "${name}"`);
    // btree_gin stays: it may have been there before, for something else.
  }
}
