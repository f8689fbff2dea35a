import { createHash, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;
/** base64url of 32 bytes: anything else cannot be one of ours and is refused without a lookup. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** 256 bits from the CSPRNG, base64url. */
export function newRefreshToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function isRefreshTokenShaped(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

/** A fast hash is enough: the token is 256 random bits, so there is nothing to guess offline. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface SpentToken {
  /** Seconds since it was spent, by the database clock. */
  ageSeconds: number;
  /** No token of its session was spent after it: it is the parent of the session's newest token. */
  latestSpent: boolean;
  /** The replay comes with the user agent the winning refresh stored: the same browser. */
  sameClient: boolean;
}

/**
 * A spent token presented again is theft unless it is the immediate parent, replayed by the same
 * browser within the grace window (a second tab that lost a refresh race): then it is refused,
 * but the session lives on. A thief who refreshes first with another user agent is still caught
 * when the victim's tab replays.
 */
export function spentTokenVerdict(token: SpentToken, graceSeconds: number): 'grace' | 'reuse' {
  const forgiven = graceSeconds > 0 && token.latestSpent && token.sameClient && token.ageSeconds <= graceSeconds;
  return forgiven ? 'grace' : 'reuse';
}
