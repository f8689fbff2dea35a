import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Titles in ICU's root collation (`und-x-icu`), pinned on the column: PostgreSQL servers differ in
 * their database's default collation (the embedded one starts in `C.UTF-8`), and a list sorted by
 * title must read the same on each. ICU's root order also folds case and accents as readers expect
 * (`apple`, `Apple`, `äpple`, `banana`), and lets `ILIKE` fold non-ASCII letters. PostgreSQL
 * builds with ICU on every common distribution and in the embedded database.
 *
 * Also `pg_trgm`, whose trigram indexes (next migration) serve substring search. It is a trusted
 * extension: the database's owner may create it.
 *
 * The collation change rewrites no row, but rebuilds the indexes that hold the title under an
 * exclusive lock: none until the next migration.
 */
export class TitleCollationTrigrams1796195919698 implements MigrationInterface {
  name = 'TitleCollationTrigrams1796195919698';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`ALTER TABLE "todos" ALTER COLUMN "title" TYPE character varying(200) COLLATE "und-x-icu"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "todos" ALTER COLUMN "title" TYPE character varying(200) COLLATE "default"`);
    // pg_trgm stays: it may have been there before, for something else.
  }
}
