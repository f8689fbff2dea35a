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
