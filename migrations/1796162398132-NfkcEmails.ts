import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Addresses stored before emails were normalised to NFKC (a full-width `ａｌｉｃｅ@example.com`)
 * take that form, so their owners still log in with what they type. An address whose NFKC form
 * another account already has, or shares with one, is left as it is: merging accounts is a person's
 * decision, and the unique index would refuse it anyway.
 */
export class NfkcEmails1796162398132 implements MigrationInterface {
  name = 'NfkcEmails1796162398132';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // normalize() needs a UTF8 database; in any other, no such address could have been stored.
    const [{ encoding }] = (await queryRunner.query(`SELECT current_setting('server_encoding') AS encoding`)) as { encoding: string }[];
    if (encoding !== 'UTF8') return;
    await queryRunner.query(`
      WITH forms AS (
        SELECT id, lower(normalize(email, NFKC)) AS normal,
               count(*) OVER (PARTITION BY lower(normalize(email, NFKC))) AS sharing
        FROM users
      )
      UPDATE users u SET email = f.normal
      FROM forms f
      WHERE u.id = f.id AND f.sharing = 1 AND u.email <> f.normal`);
  }

  public async down(): Promise<void> {
    // The earlier forms are not kept: nothing to restore, and none is needed to log in.
  }
}
