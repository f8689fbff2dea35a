import type { FieldErrorCode } from '../common/problem-codes.js';
import { normalizeEmail } from '../users/email-address.js';
import { commonPasswords } from './common-passwords.js';

/** The least `PASSWORD_MIN_LENGTH` may be, and its default. */
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

/** The rules as the API documents them; the document is built without configuration, so its minLength is the default. */
export const PASSWORD_RULES =
  `At least PASSWORD_MIN_LENGTH characters (${PASSWORD_MIN_CHARS} unless the operator raised it, up to 64) and at most ` +
  `${PASSWORD_MAX_CHARS}, counted after NFKC normalisation (at most ${PASSWORD_MAX_BYTES} bytes); not one of the 10,000 most ` +
  'common passwords (compared without surrounding spaces, ignoring case), one character repeated or a plain sequence such as ' +
  '12345678; not only spaces or invisible characters; must not contain the part of the email before @';

let minChars = PASSWORD_MIN_CHARS;

/** `PASSWORD_MIN_LENGTH`, set once at start-up: the DTO validators that apply the policy run outside dependency injection. */
export function setPasswordMinChars(chars: number): void {
  minChars = chars;
}

/** Spaces and characters that show nothing (zero-width, fillers, BOM, controls). */
const BLANK = '[\\p{White_Space}\\p{Default_Ignorable_Code_Point}\\p{Cc}\\p{Cf}\\u2800]';
const ALL_BLANK = new RegExp(`^${BLANK}*$`, 'u');
const BLANK_EDGES = new RegExp(`^${BLANK}+|${BLANK}+$`, 'gu');

/** One character repeated, or a run of consecutive code points up or down (`12345678`, `hgfedcba`). */
function isTrivial(codePoints: number[]): 'repeated' | 'sequence' | undefined {
  const step = codePoints[1] - codePoints[0];
  if (codePoints.length > 1 && Math.abs(step) > 1) return undefined;
  for (let i = 2; i < codePoints.length; i += 1) if (codePoints[i] - codePoints[i - 1] !== step) return undefined;
  return codePoints.length === 1 || step === 0 ? 'repeated' : 'sequence';
}

/** Passwords are compared and hashed in NFKC form, never trimmed or truncated. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * Length limits, the common-password list and the email context check (NIST SP 800-63B):
 * returns why the password is refused, or `undefined` when it is acceptable. No composition rules.
 * The list is checked on the password without its surrounding blanks and lower-cased, and counts
 * one repeated character and a plain ascending or descending run as listed; a password of blanks
 * only is refused.
 */
export function passwordProblem(password: string, email?: string, minimum = minChars): string | undefined {
  if (passwordTooLong(password)) return PASSWORD_TOO_LONG;
  const normalized = normalizePassword(password);
  const chars = [...normalized].length;
  if (chars < minimum) return `must be at least ${minimum} characters`;
  if (chars > PASSWORD_MAX_CHARS) return PASSWORD_TOO_LONG;
  // Implied by 128 code points today (4 bytes at most each); kept should the character limit grow.
  if (Buffer.byteLength(normalized, 'utf8') > PASSWORD_MAX_BYTES) return `must be at most ${PASSWORD_MAX_BYTES} bytes`;
  if (ALL_BLANK.test(normalized)) return 'must contain visible characters, not only spaces or invisible ones';
  const lowered = normalized.toLowerCase();
  const core = lowered.replace(BLANK_EDGES, '');
  if (commonPasswords().has(core)) return 'is one of the most common passwords; choose a less predictable one';
  const trivial = isTrivial([...core].map((c) => c.codePointAt(0)!));
  if (trivial === 'repeated') return 'must not be a single character repeated; choose a less predictable one';
  if (trivial === 'sequence') return 'must not be a plain sequence such as 12345678 or abcdefgh; choose a less predictable one';
  // NFKC before lower-casing, as for the password: some characters only become letters under NFKC.
  const localPart = email ? normalizeEmail(email).split('@', 1)[0] : '';
  if ([...localPart].length >= MIN_LOCAL_PART_CHARS && lowered.includes(localPart)) {
    return 'must not contain the first part of your email address';
  }
  return undefined;
}

/** The field code of a refusal `passwordProblem` gave: its length limits are `too_short` and `too_long`, the rest `weak_password`. */
export function passwordProblemCode(problem: string): FieldErrorCode {
  if (problem.startsWith('must be at least ')) return 'too_short';
  if (problem.startsWith('must be at most ')) return 'too_long';
  return 'weak_password';
}

/** A new password the same as the current one (as hashed: after NFKC) changes nothing. */
export function samePassword(a: string, b: string): boolean {
  return normalizePassword(a) === normalizePassword(b);
}
