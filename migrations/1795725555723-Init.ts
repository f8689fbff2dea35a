import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users with a role and an activation flag, and the todos they own. */
export class Init1795725555723 implements MigrationInterface {
  name = 'Init1795725555723';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."user_role" AS ENUM('user', 'admin')`);
    await queryRunner.query(`CREATE TABLE "users" (
      "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL,
      "email" character varying(254) NOT NULL,
      "hashed_password" character varying(255) NOT NULL,
      "role" "public"."user_role" NOT NULL DEFAULT 'user',
      "is_active" boolean NOT NULL DEFAULT true,
      "email_verified" boolean NOT NULL DEFAULT false,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_users" PRIMARY KEY ("id"))`);
    // Emails are stored trimmed and lower-cased, so this index is case-insensitive in effect.
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_email" ON "users" ("email")`);
    await queryRunner.query(`CREATE TABLE "todos" (
      "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL,
      "title" character varying(200) NOT NULL,
      "description" character varying(2000),
      "completed" boolean NOT NULL DEFAULT false,
      "owner_id" integer NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_todos" PRIMARY KEY ("id"))`);
    // Serves the per-owner listing in creation order.
    await queryRunner.query(`CREATE INDEX "IDX_todos_owner_created" ON "todos" ("owner_id", "created_at")`);
    await queryRunner.query(
      `ALTER TABLE "todos" ADD CONSTRAINT "FK_todos_owner" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "todos"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TYPE "public"."user_role"`);
  }
}
