import { createHmac, randomInt } from 'node:crypto';

/** Recovery codes per set. */
export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32 alphabet: no i, l, o or u, so a code read aloud or off paper is not misread. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 16 characters of 5 bits: 80 random bits per code. */
const CODE_CHARS = 16;
const CODE_SHAPE = new RegExp(`^[${ALPHABET}]{${CODE_CHARS}}$`);

/** A fresh set, each code shown as four groups of four (`7kq2-m9xd-3h5t-pw8c`). */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const code = Array.from({ length: CODE_CHARS }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return code.match(/.{4}/g)!.join('-');
  });
}

/**
 * What a person typed, as the code it stands for: case, spaces and dashes ignored, and the
 * letters Crockford's alphabet leaves out read as the digits they look like. `undefined` when it
 * cannot be a recovery code at all.
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  const code = input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  return CODE_SHAPE.test(code) ? code : undefined;
}

/**
 * The stored form of a normalised code: HMAC-SHA256 under a key derived from
 * `MFA_ENCRYPTION_KEY`. A slow password hash buys nothing for 80 random bits (no dictionary to
 * try), and being deterministic the hash is found by an index, not compared against every code
 * of the account; the key keeps a copy of the table alone from being worth anything offline.
 */
export function hashRecoveryCode(key: Buffer, normalizedCode: string): string {
  return createHmac('sha256', key).update(normalizedCode, 'utf8').digest('hex');
}
