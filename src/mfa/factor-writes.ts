import type { EntityManager } from 'typeorm';
import { User } from '../users/user.entity.js';
import { MfaChallenge } from './mfa-challenge.entity.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.js';
import { TotpFactor } from './totp-factor.entity.js';

/** A new set of recovery codes in place of the user's earlier one, inside `em`'s transaction; returns the codes to show once. */
export async function replaceRecoveryCodes(em: EntityManager, key: Buffer, userId: number): Promise<string[]> {
  const codes = newRecoveryCodes();
  await em.delete(RecoveryCode, { userId });
  await em.insert(
    RecoveryCode,
    codes.map((code) => ({ userId, codeHash: hashRecoveryCode(key, normalizeRecoveryCode(code)!) })),
  );
  return codes;
}

/**
 * Turns the user's second factor off inside `em`'s transaction: the authenticator (pending or
 * confirmed), the recovery codes and the logins waiting for a code all go. True when it was on.
 */
export async function removeFactor(em: EntityManager, userId: number): Promise<boolean> {
  const removed = await em
    .createQueryBuilder()
    .delete()
    .from(TotpFactor)
    .where('user_id = :userId', { userId })
    .returning('confirmed_at')
    .execute();
  await em.delete(RecoveryCode, { userId });
  await em.delete(MfaChallenge, { userId });
  await em.update(User, { id: userId }, { mfaEnabled: false });
  return (removed.raw as { confirmed_at: Date | null }[]).some((row) => row.confirmed_at !== null);
}
