import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Password-reset and email-verification tokens, stored only as SHA-256 hashes: one row per user
 * and purpose, replaced by each new token.
 */
export class AccountTokens1795734237649 implements MigrationInterface {
  name = 'AccountTokens1795734237649';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."account_token_purpose" AS ENUM('password_reset', 'email_verification')`);
    await queryRunner.query(`CREATE TABLE "account_tokens" (
      "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL,
      "user_id" integer NOT NULL,
      "purpose" "public"."account_token_purpose" NOT NULL,
      "token_hash" character(64) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "used_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_account_tokens" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_account_tokens_hash" ON "account_tokens" ("token_hash")`);
    // The upsert's conflict target; also serves the foreign key's cascade (user_id leads).
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_account_tokens_user_purpose" ON "account_tokens" ("user_id", "purpose")`);
    // Serves the hourly purge.
    await queryRunner.query(`CREATE INDEX "IDX_account_tokens_expires" ON "account_tokens" ("expires_at")`);
    await queryRunner.query(
      `ALTER TABLE "account_tokens" ADD CONSTRAINT "FK_account_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "account_tokens"`);
    await queryRunner.query(`DROP TYPE "public"."account_token_purpose"`);
  }
}
