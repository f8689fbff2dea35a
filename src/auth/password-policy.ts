import { commonPasswords } from './common-passwords.js';

export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 128;
export const PASSWORD_MAX_BYTES = 512;
const MIN_LOCAL_PART_CHARS = 4;

/** Passwords are compared and hashed in NFKC form, never trimmed or truncated. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * The one form of an address wherever it arrives, so that one address is one account: NFKC turns
 * full-width and other compatibility forms into the plain characters they look like (`ａｌｉｃｅ` is
 * `alice`), then the blanks around it go and letters are lower-cased.
 */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

/**
 * Characters that show as nothing: format characters (zero-width spaces and joiners, the soft
 * hyphen, bidirectional controls, the byte-order mark) and the Hangul fillers, letters in name
 * only. In an address they can only make a look-alike of another one.
 */
const INVISIBLE = /[\p{Cf}\u115F\u1160\u3164\uFFA0]/u;

/**
 * Why a normalised address cannot be a new account's, beyond its syntax: invisible characters, or
 * a quoted local part (`"a b"@x.com`, which few mail systems accept and which can dress one
 * address up as another). `undefined` when it can.
 */
export function emailProblem(email: string): string | undefined {
  if (INVISIBLE.test(email)) return 'must not contain invisible characters';
  // Outside a quoted local part, `"` is not allowed in an address at all.
  if (email.includes('"')) return 'must not have a quoted local part';
  return undefined;
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
  const localPart = email ? normalizeEmail(email).split('@', 1)[0] : '';
  if ([...localPart].length >= MIN_LOCAL_PART_CHARS && lowered.includes(localPart)) {
    return 'must not contain the first part of your email address';
  }
  return undefined;
}
