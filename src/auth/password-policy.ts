import { commonPasswords } from './common-passwords.js';

export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 128;
export const PASSWORD_MAX_BYTES = 512;
const MIN_LOCAL_PART_CHARS = 4;

/** Passwords are compared and hashed in NFKC form, never trimmed or truncated. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Length limits, the common-password list and the email context check (NIST SP 800-63B):
 * returns why the password is refused, or `undefined` when it is acceptable. No composition rules.
 */
export function passwordProblem(password: string, email?: string): string | undefined {
  const normalized = normalizePassword(password);
  const chars = [...normalized].length;
  if (chars < PASSWORD_MIN_CHARS) return `must be at least ${PASSWORD_MIN_CHARS} characters`;
  if (chars > PASSWORD_MAX_CHARS) return `must be at most ${PASSWORD_MAX_CHARS} characters`;
  // Implied by 128 code points today (4 bytes at most each); kept should the character limit grow.
  if (Buffer.byteLength(normalized, 'utf8') > PASSWORD_MAX_BYTES) return `must be at most ${PASSWORD_MAX_BYTES} bytes`;
  const lowered = normalized.toLowerCase();
  if (commonPasswords().has(lowered)) return 'is one of the most common passwords; choose a less predictable one';
  // NFKC before lower-casing, as for the password: some characters only become letters under NFKC.
  const localPart = email ? normalizeEmail(email.normalize('NFKC')).split('@', 1)[0] : '';
  if ([...localPart].length >= MIN_LOCAL_PART_CHARS && lowered.includes(localPart)) {
    return 'must not contain the first part of your email address';
  }
  return undefined;
}
