export {
  hashOpaqueToken as hashRefreshToken,
  isOpaqueTokenShaped as isRefreshTokenShaped,
  newOpaqueToken as newRefreshToken,
} from '../common/opaque-token.js';

export interface SpentToken {
  /** Seconds since it was spent, by the database clock. */
  ageSeconds: number;
  /** No token of its session was spent after it: it is the parent of the session's newest token. */
  latestSpent: boolean;
  /** The replay comes with the user agent the winning refresh stored: the same browser. */
  sameClient: boolean;
}

/**
 * A spent token presented again is theft unless it is the immediate parent of the session's
 * unused newest token, replayed by the same client within the grace window: the answer of the
 * refresh that spent it was lost (a timeout, a dropped connection), and the client retries. Then
 * it is renewed: its unused successor is dropped and a fresh pair issued, and the session lives
 * on. A thief who refreshes first with another user agent is still caught when the victim's
 * client replays, and once the successor has been used any replay of its parent is theft.
 */
export function spentTokenVerdict(token: SpentToken, graceSeconds: number): 'renew' | 'reuse' {
  const lostAnswer = graceSeconds > 0 && token.latestSpent && token.sameClient && token.ageSeconds <= graceSeconds;
  return lostAnswer ? 'renew' : 'reuse';
}
