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
 * A spent token presented again is theft unless it is the immediate parent, replayed by the same
 * browser within the grace window (a second tab that lost a refresh race): then it is refused,
 * but the session lives on. A thief who refreshes first with another user agent is still caught
 * when the victim's tab replays.
 */
export function spentTokenVerdict(token: SpentToken, graceSeconds: number): 'grace' | 'reuse' {
  const forgiven = graceSeconds > 0 && token.latestSpent && token.sameClient && token.ageSeconds <= graceSeconds;
  return forgiven ? 'grace' : 'reuse';
}
