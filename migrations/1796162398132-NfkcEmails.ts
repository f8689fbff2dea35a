import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Addresses stored before emails were normalised to NFKC (a full-width `ａｌｉｃｅ@example.com`)
 * take that form, so their owners still log in with what they type. The form is worked out here
 * as the application works it out (NFKC, trimmed, lower-cased by JavaScript), not by SQL's
 * `lower()`, which follows the database's locale and under `C` lowers ASCII only. An address
 * whose form another account already has, or shares with one, is left as it is (merging accounts
 * is a person's decision, and the unique index would refuse it anyway) and its account id logged.
 */
export class NfkcEmails1796162398132 implements MigrationInterface {
  name = 'NfkcEmails1796162398132';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // NFKC needs a UTF8 database; in any other, no such address could have been stored.
    const [{ encoding }] = (await queryRunner.query(`SELECT current_setting('server_encoding') AS encoding`)) as { encoding: string }[];
    if (encoding !== 'UTF8') return;
    const rows = (await queryRunner.query(`SELECT id, email FROM users WHERE email IS NOT NFKC NORMALIZED`)) as {
      id: number;
      email: string;
    }[];
    const byForm = new Map<string, number[]>();
    for (const { id, email } of rows) {
      const form = email.normalize('NFKC').trim().toLowerCase();
      byForm.set(form, [...(byForm.get(form) ?? []), id]);
    }
    const skipped: number[] = [];
    for (const [form, ids] of byForm) {
      const [taken] = (await queryRunner.query(`SELECT 1 FROM users WHERE email = $1`, [form])) as unknown[];
      if (ids.length > 1 || taken) skipped.push(...ids);
      else await queryRunner.query(`UPDATE users SET email = $2 WHERE id = $1`, [ids[0], form]);
    }
    if (skipped.length > 0) {
      queryRunner.connection.logger.log(
        'warn',
        `NfkcEmails: users ${skipped.join(', ')} keep their address, whose normal form another account has; they cannot log in until an admin changes or deletes one of the two`,
      );
    }
  }

  public async down(): Promise<void> {
    // The earlier forms are not kept: nothing to restore, and none is needed to log in.
  }
}
