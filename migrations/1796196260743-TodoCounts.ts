import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each user's number of todos, kept by the insert and the delete of a todo, so the per-user bound
 * (`TODOS_PER_USER_MAX`) is one row read rather than a count. Filled from the todos as they are.
 * Instances still running the previous code while this deploys do not keep the counts: those
 * creates go uncounted (a count can only fall short, which a bound tolerates), and a delete never
 * takes a count below zero.
 */
export class TodoCounts1796196260743 implements MigrationInterface {
  name = 'TodoCounts1796196260743';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "todo_counts" ("user_id" integer NOT NULL, "count" integer NOT NULL, CONSTRAINT "CHK_todo_counts_not_negative" CHECK ("count" >= 0), CONSTRAINT "PK_todo_counts" PRIMARY KEY ("user_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "todo_counts" ADD CONSTRAINT "FK_todo_counts_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`INSERT INTO "todo_counts" ("user_id", "count") SELECT "owner_id", count(*) FROM "todos" GROUP BY "owner_id"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "todo_counts" DROP CONSTRAINT "FK_todo_counts_user"`);
    await queryRunner.query(`DROP TABLE "todo_counts"`);
  }
}
