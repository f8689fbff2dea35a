import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: security events of accounts, kept `AUDIT_RETENTION_DAYS`. No foreign keys (an
 * event outlives its account, and writing one locks no user row). The id is a bigint identity
 * capped at 2^53 − 1, so it is always a JSON number clients read exactly. Newest first by time and
 * id, for every list and for one user's, one type's or a time range's events.
 */
export class AuditEvents1796200100000 implements MigrationInterface {
  name = 'AuditEvents1796200100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "audit_events" (
      "id" bigint GENERATED ALWAYS AS IDENTITY (MAXVALUE 9007199254740991) NOT NULL,
      "type" character varying(64) NOT NULL,
      "user_id" integer,
      "actor_id" integer,
      "ip" character varying(64),
      "user_agent" character varying(512),
      "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
      "details" jsonb NOT NULL,
      CONSTRAINT "PK_audit_events" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_created_id" ON "audit_events" ("created_at", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_user_created_id" ON "audit_events" ("user_id", "created_at", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_type_created_id" ON "audit_events" ("type", "created_at", "id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_events"`);
  }
}
