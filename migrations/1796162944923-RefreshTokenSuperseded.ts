import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Marks a refresh token that a retry after a lost answer replaced: presenting it later is reuse. */
export class RefreshTokenSuperseded1796162944923 implements MigrationInterface {
  name = 'RefreshTokenSuperseded1796162944923';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD "superseded_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "superseded_at"`);
  }
}
