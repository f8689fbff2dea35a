import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Answers to requests sent with an `Idempotency-Key`, kept 24 hours: a user's keys are unique per
 * user, and a key sent without an account is unique only together with its request's fingerprint.
 */
export class IdempotencyKeys1796160206389 implements MigrationInterface {
  name = 'IdempotencyKeys1796160206389';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "idempotency_keys" (
      "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL,
      "user_id" integer,
      "key" character varying(255) NOT NULL,
      "fingerprint" character(64) NOT NULL,
      "response_body" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_idempotency_keys" PRIMARY KEY ("id"))`);
    // Serves the hourly purge.
    await queryRunner.query(`CREATE INDEX "IDX_idempotency_keys_expires" ON "idempotency_keys" ("expires_at")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_idempotency_keys_anonymous_key" ON "idempotency_keys" ("key", "fingerprint") WHERE "user_id" IS NULL`,
    );
    // Also serves the foreign key's cascade (user_id leads).
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_idempotency_keys_user_key" ON "idempotency_keys" ("user_id", "key") WHERE "user_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "idempotency_keys" ADD CONSTRAINT "FK_idempotency_keys_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
