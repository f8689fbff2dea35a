import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The second factor: each user's TOTP authenticator (its secret sealed with AES-256-GCM), the
 * recovery codes as keyed hashes, and the pending second steps of logins (`mfa_token`s, as
 * SHA-256). `users.mfa_enabled` is a column with a constant default, which PostgreSQL adds
 * without rewriting the table; the three new tables start empty.
 */
export class Mfa1796300000000 implements MigrationInterface {
  name = 'Mfa1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "mfa_enabled" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`CREATE TABLE "totp_factors" (
      "user_id" integer NOT NULL,
      "secret_sealed" bytea NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "confirmed_at" TIMESTAMP WITH TIME ZONE,
      "last_used_step" bigint,
      "failed_attempts" integer NOT NULL DEFAULT 0,
      CONSTRAINT "PK_totp_factors" PRIMARY KEY ("user_id"))`);
    await queryRunner.query(
      `ALTER TABLE "totp_factors" ADD CONSTRAINT "FK_totp_factors_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`CREATE TABLE "recovery_codes" (
      "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL,
      "user_id" integer NOT NULL,
      "code_hash" character(64) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "used_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_recovery_codes" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_recovery_codes_user_hash" ON "recovery_codes" ("user_id", "code_hash")`);
    await queryRunner.query(
      `ALTER TABLE "recovery_codes" ADD CONSTRAINT "FK_recovery_codes_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`CREATE TABLE "mfa_challenges" (
      "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
      "user_id" integer NOT NULL,
      "token_hash" character(64) NOT NULL,
      "password_fingerprint" character(64) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "attempts" smallint NOT NULL DEFAULT 0,
      "used_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_mfa_challenges" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_mfa_challenges_user" ON "mfa_challenges" ("user_id")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_mfa_challenges_token_hash" ON "mfa_challenges" ("token_hash")`);
    await queryRunner.query(`CREATE INDEX "IDX_mfa_challenges_expires" ON "mfa_challenges" ("expires_at")`);
    await queryRunner.query(
      `ALTER TABLE "mfa_challenges" ADD CONSTRAINT "FK_mfa_challenges_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "mfa_challenges"`);
    await queryRunner.query(`DROP TABLE "recovery_codes"`);
    await queryRunner.query(`DROP TABLE "totp_factors"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "mfa_enabled"`);
  }
}
