import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Sessions (one per login on a device) and their refresh tokens, stored only as SHA-256 hashes. */
export class Sessions1795728355876 implements MigrationInterface {
  name = 'Sessions1795728355876';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "sessions" (
      "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL,
      "user_id" integer NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "last_used_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "user_agent" character varying(512),
      "ip" character varying(64),
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      "revoked_reason" character varying(32),
      CONSTRAINT "PK_sessions" PRIMARY KEY ("id"))`);
    // Serves the session list and the revocation of all of a user's sessions.
    await queryRunner.query(`CREATE INDEX "IDX_sessions_user" ON "sessions" ("user_id")`);
    // Serve the hourly purge of expired and long-revoked sessions.
    await queryRunner.query(`CREATE INDEX "IDX_sessions_expires" ON "sessions" ("expires_at")`);
    await queryRunner.query(`CREATE INDEX "IDX_sessions_revoked" ON "sessions" ("revoked_at") WHERE "revoked_at" IS NOT NULL`);
    await queryRunner.query(`CREATE TABLE "refresh_tokens" (
      "id" integer GENERATED ALWAYS AS IDENTITY NOT NULL,
      "token_hash" character(64) NOT NULL,
      "session_id" integer NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "used_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_refresh_tokens" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_refresh_tokens_hash" ON "refresh_tokens" ("token_hash")`);
    await queryRunner.query(`CREATE INDEX "IDX_refresh_tokens_session" ON "refresh_tokens" ("session_id")`);
    await queryRunner.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "FK_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_refresh_tokens_session" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
  }
}
