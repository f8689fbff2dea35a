import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refresh token ids as bigint: every refresh spends one, and a 32-bit identity would run out
 * within weeks at a million users refreshing every 15 minutes. The identity's sequence widens
 * with its column. The table is rewritten under an exclusive lock: on a large table, run it in a
 * quiet window (logins and refreshes wait for it).
 */
export class RefreshTokenBigintIds1796190081165 implements MigrationInterface {
  name = 'RefreshTokenBigintIds1796190081165';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ALTER COLUMN "id" TYPE bigint`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ALTER COLUMN "id" TYPE integer`);
  }
}
