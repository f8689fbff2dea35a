import type { MigrationInterface, QueryRunner } from 'typeorm';
import { buildIndexesConcurrently } from '../src/database/concurrent-indexes.js';

/** 2^53 − 1: past it a JSON number (JavaScript's) no longer holds an integer exactly. */
const ID_MAX = '9007199254740991';
/** Rows per backfill statement: each is its own short transaction. */
const BACKFILL_ROWS = 10_000;

/** Each family's widened columns, [table, column], each through a bigint copy named `<column>_new`. */
const TODOS_COLUMNS: [string, string][] = [['todos', 'id']];
const SESSIONS_COLUMNS: [string, string][] = [
  ['sessions', 'id'],
  ['refresh_tokens', 'session_id'],
];

/** Each index that holds a widened column, built again on its copy under `<name>_new` (the primary keys' unique). */
const TODOS_INDEXES: [string, string, 'unique'?][] = [
  ['PK_todos_new', `"todos" ("id_new")`, 'unique'],
  ['IDX_todos_owner_created_id_new', `"todos" ("owner_id", "created_at", "id_new")`],
  ['IDX_todos_owner_title_id_new', `"todos" ("owner_id", "title", "id_new")`],
];
const SESSIONS_INDEXES: [string, string, 'unique'?][] = [
  ['PK_sessions_new', `"sessions" ("id_new")`, 'unique'],
  ['IDX_sessions_user_live_new', `"sessions" ("user_id", "last_used_at", "id_new") WHERE "revoked_at" IS NULL`],
  ['IDX_refresh_tokens_session_new', `"refresh_tokens" ("session_id_new")`],
];

/**
 * Todos' and sessions' ids (and `refresh_tokens.session_id`) from `integer` to `bigint`, their
 * identities capped at 2^53 − 1, on a live, populated database. `ALTER COLUMN … TYPE bigint`
 * would rewrite each table and its indexes under an exclusive lock (every request to it waiting
 * meanwhile); here the only exclusive locks are a few catalog changes. Expand, then contract:
 *
 * 1. Each column gets a nullable `bigint` copy, set by a trigger on insert (these columns are
 *    never updated), one short transaction per table: `ACCESS EXCLUSIVE` to add a column without
 *    a default, which rewrites nothing.
 * 2. The copies of older rows are filled in batches of 10,000 rows in key order, each its own
 *    transaction: row locks only. Before any index holds the copy, so an update is HOT where its
 *    page has room (a table loaded in bulk has none: 192 s for 3,000,000 todos, docs/operations.md).
 * 3. A `CHECK (… IS NOT NULL) NOT VALID`, then validated (`SHARE UPDATE EXCLUSIVE`: reads and
 *    writes go on), proves every copy is set; each index on a widened column is built again on
 *    its copy `CONCURRENTLY`; the foreign key from the refresh tokens' copy to the sessions' copy
 *    is added `NOT VALID` (a brief `SHARE ROW EXCLUSIVE` on both tables), then validated.
 * 4. The swap, one transaction per table family, under `ACCESS EXCLUSIVE`, of catalog changes
 *    only: the old column goes (its indexes and constraints with it), the copy takes its name,
 *    `NOT NULL` (proved by the check: no scan), the primary key on its unique index, the indexes'
 *    and the foreign key's names, and an identity that continues the old one's sequence, up to
 *    2^53 − 1. `refresh_tokens.id`, already bigint, gets the same cap.
 *
 * Runs outside a transaction (`CONCURRENTLY` needs it) and can run again after a failure: each step
 * skips what is done, and a table whose id is already bigint is left alone. Code that reads ids as
 * numbers whatever their width and prepares again a statement whose result type changed must be
 * running on every instance before the swap (docs/operations.md).
 *
 * `down` narrows the columns back in place, rewriting the tables under an exclusive lock (an
 * offline step), and fails if an id past 2^31 − 1 was handed out.
 */
export class BigintIds1796201000000 implements MigrationInterface {
  name = 'BigintIds1796201000000';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    // A family whose id is bigint already was swapped by an earlier run.
    const todos = !(await isBigint(queryRunner, 'todos'));
    const sessions = !(await isBigint(queryRunner, 'sessions'));
    if (!todos && !sessions) return;
    const widened = [...(todos ? TODOS_COLUMNS : []), ...(sessions ? SESSIONS_COLUMNS : [])];
    for (const [table, column] of widened) await expand(queryRunner, table, column);
    for (const [table, column] of widened) await backfill(queryRunner, table, column);
    for (const [table, column] of widened) await proveNotNull(queryRunner, table, column);
    await buildIndexesConcurrently(queryRunner, [...(todos ? TODOS_INDEXES : []), ...(sessions ? SESSIONS_INDEXES : [])]);
    if (sessions) await addSessionForeignKey(queryRunner);

    if (todos) {
      await inTransaction(queryRunner, async () => {
        await queryRunner.query(`LOCK TABLE "todos" IN ACCESS EXCLUSIVE MODE`);
        const next = await nextIdentityValue(queryRunner, 'todos');
        await replaceColumn(queryRunner, 'todos', 'id', ['IDX_todos_owner_created_id', 'IDX_todos_owner_title_id']);
        await makePrimaryIdentity(queryRunner, 'todos', next);
      });
    }
    if (sessions) {
      await inTransaction(queryRunner, async () => {
        await queryRunner.query(`LOCK TABLE "sessions", "refresh_tokens" IN ACCESS EXCLUSIVE MODE`);
        const next = await nextIdentityValue(queryRunner, 'sessions');
        // The refresh tokens' column first: its old foreign key holds the sessions' old primary key.
        await replaceColumn(queryRunner, 'refresh_tokens', 'session_id', ['IDX_refresh_tokens_session']);
        await queryRunner.query(
          `ALTER TABLE "refresh_tokens" RENAME CONSTRAINT "FK_refresh_tokens_session_new" TO "FK_refresh_tokens_session"`,
        );
        await replaceColumn(queryRunner, 'sessions', 'id', ['IDX_sessions_user_live']);
        await makePrimaryIdentity(queryRunner, 'sessions', next);
        await queryRunner.query(`ALTER TABLE "refresh_tokens" ALTER COLUMN "id" SET MAXVALUE ${ID_MAX}`);
      });
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ALTER COLUMN "id" SET NO MAXVALUE`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ALTER COLUMN "session_id" TYPE integer`);
    for (const table of ['sessions', 'todos']) {
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "id" SET MAXVALUE 2147483647`);
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "id" TYPE integer`);
    }
  }
}

async function isBigint(queryRunner: QueryRunner, table: string): Promise<boolean> {
  const [row] = await queryRunner.query(
    `SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'`,
    [table],
  );
  return row?.data_type === 'bigint';
}

/**
 * Step 3: the refresh tokens' copy references the sessions' copy: added `NOT VALID` (no scan; rows
 * written from now on are checked), then validated by a scan that blocks no request.
 */
async function addSessionForeignKey(queryRunner: QueryRunner): Promise<void> {
  const fk = 'FK_refresh_tokens_session_new';
  if (!(await hasConstraint(queryRunner, 'refresh_tokens', fk))) {
    // Both tables locked in the order the app's transactions lock them (the session first), so none deadlocks with this.
    await inTransaction(queryRunner, async () => {
      await queryRunner.query(`LOCK TABLE "sessions", "refresh_tokens" IN SHARE ROW EXCLUSIVE MODE`);
      await queryRunner.query(
        `ALTER TABLE "refresh_tokens" ADD CONSTRAINT "${fk}" FOREIGN KEY ("session_id_new") REFERENCES "sessions"("id_new") ON DELETE CASCADE ON UPDATE NO ACTION NOT VALID`,
      );
    });
  }
  await queryRunner.query(`ALTER TABLE "refresh_tokens" VALIDATE CONSTRAINT "${fk}"`);
}

async function hasConstraint(queryRunner: QueryRunner, table: string, name: string): Promise<boolean> {
  const rows = await queryRunner.query(`SELECT 1 FROM pg_constraint WHERE conrelid = $1::regclass AND conname = $2`, [`"${table}"`, name]);
  return rows.length > 0;
}

/** Runs `work` in a transaction of its own on this connection (the migration runs outside one). */
async function inTransaction(queryRunner: QueryRunner, work: () => Promise<void>): Promise<void> {
  await queryRunner.query('BEGIN');
  try {
    await work();
  } catch (error) {
    await queryRunner.query('ROLLBACK');
    throw error;
  }
  await queryRunner.query('COMMIT');
}

/** Step 1: the copy, and the trigger that sets it on every insert from now on. */
async function expand(queryRunner: QueryRunner, table: string, column: string): Promise<void> {
  const copy = `${table}_${column}_new_copy`;
  await inTransaction(queryRunner, async () => {
    await queryRunner.query(`ALTER TABLE "${table}" ADD COLUMN IF NOT EXISTS "${column}_new" bigint`);
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION "${copy}"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW."${column}_new" := NEW."${column}"; RETURN NEW; END $$`,
    );
    await queryRunner.query(`CREATE OR REPLACE TRIGGER "${copy}" BEFORE INSERT ON "${table}" FOR EACH ROW EXECUTE FUNCTION "${copy}"()`);
  });
}

/**
 * Step 2: the rows older than the trigger, a batch of primary keys (`id`) at a time in key order,
 * up to the largest key when it starts (later rows have their copy from the trigger).
 */
async function backfill(queryRunner: QueryRunner, table: string, column: string): Promise<void> {
  const [{ high }] = await queryRunner.query(`SELECT max("id") AS high FROM "${table}"`);
  for (let after: number | null = 0; after !== null;) {
    const [{ last }]: { last: number | string | null }[] = await queryRunner.query(
      `WITH batch AS (SELECT "id" FROM "${table}" WHERE "id" > $1 AND "id" <= $2 ORDER BY "id" LIMIT ${BACKFILL_ROWS}),
            filled AS (UPDATE "${table}" t SET "${column}_new" = t."${column}" FROM batch WHERE t."id" = batch."id" AND t."${column}_new" IS NULL)
       SELECT max("id") AS last FROM batch`,
      [after, high ?? 0],
    );
    after = last === null ? null : Number(last);
  }
}

/** Step 3: every copy set, proved once by a scan that blocks no request, so that step 4's `SET NOT NULL` needs none. */
async function proveNotNull(queryRunner: QueryRunner, table: string, column: string): Promise<void> {
  const check = `CHK_${table}_${column}_new_not_null`;
  if (!(await hasConstraint(queryRunner, table, check)))
    await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${check}" CHECK ("${column}_new" IS NOT NULL) NOT VALID`);
  await queryRunner.query(`ALTER TABLE "${table}" VALIDATE CONSTRAINT "${check}"`);
}

/** What the identity of `table.id` hands out next, read under the swap's lock: the new identity goes on from there. */
async function nextIdentityValue(queryRunner: QueryRunner, table: string): Promise<number> {
  const [{ sequence }] = await queryRunner.query(`SELECT pg_get_serial_sequence($1, 'id') AS sequence`, [`"${table}"`]);
  // The name comes from the catalog, quoted by PostgreSQL.
  const [{ last_value: last, is_called: called }] = await queryRunner.query(`SELECT last_value, is_called FROM ${sequence}`);
  return Number(last) + (called ? 1 : 0);
}

/** Step 4: the copy in place of the column, under the indexes' names; the old column's indexes and constraints go with it. */
async function replaceColumn(queryRunner: QueryRunner, table: string, column: string, indexes: string[]): Promise<void> {
  const copy = `${table}_${column}_new_copy`;
  await queryRunner.query(`DROP TRIGGER "${copy}" ON "${table}"`);
  await queryRunner.query(`DROP FUNCTION "${copy}"()`);
  await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "${column}"`);
  await queryRunner.query(`ALTER TABLE "${table}" RENAME COLUMN "${column}_new" TO "${column}"`);
  await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" SET NOT NULL`);
  await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "CHK_${table}_${column}_new_not_null"`);
  for (const index of indexes) await queryRunner.query(`ALTER INDEX "${index}_new" RENAME TO "${index}"`);
}

/** Step 4, for a table's own id: the primary key on the copy's unique index, and an identity from `next` to 2^53 − 1. */
async function makePrimaryIdentity(queryRunner: QueryRunner, table: string, next: number): Promise<void> {
  await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "PK_${table}" PRIMARY KEY USING INDEX "PK_${table}_new"`);
  await queryRunner.query(
    `ALTER TABLE "${table}" ALTER COLUMN "id" ADD GENERATED ALWAYS AS IDENTITY (START WITH ${next} MAXVALUE ${ID_MAX})`,
  );
}
