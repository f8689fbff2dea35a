import { commonPasswords } from './common-passwords.js';

export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 128;
export const PASSWORD_MAX_BYTES = 512;
/**
 * UTF-16 code units past which a password is refused as too long before anything else, so a
 * large input costs one length read: NFKC can multiply a string (U+FDFA alone becomes 18 code
 * points). Four units a character leaves room for surrogate pairs and for decomposed input that
 * NFKC composes again; only the fully decomposed form of a few rare characters needs more. Also
 * bounds the bytes: at most three UTF-8 bytes per unit.
 */
export const PASSWORD_MAX_UNITS = 4 * PASSWORD_MAX_CHARS;
export const PASSWORD_TOO_LONG = `must be at most ${PASSWORD_MAX_CHARS} characters`;

/** The cheap size check every password gets first, wherever it arrives. */
export function passwordTooLong(password: string): boolean {
  return password.length > PASSWORD_MAX_UNITS;
}

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
  if (passwordTooLong(password)) return PASSWORD_TOO_LONG;
  const normalized = normalizePassword(password);
  const chars = [...normalized].length;
  if (chars < PASSWORD_MIN_CHARS) return `must be at least ${PASSWORD_MIN_CHARS} characters`;
  if (chars > PASSWORD_MAX_CHARS) return PASSWORD_TOO_LONG;
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
