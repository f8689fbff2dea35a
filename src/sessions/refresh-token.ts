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
  /** It was never spent by its holder: a retry after a lost answer replaced it. */
  superseded: boolean;
}

/**
 * A spent token presented again is theft unless it is the immediate parent of the session's
 * unused newest token, replayed by the same client within the grace window: the answer of the
 * refresh that spent it was lost (a timeout, a dropped connection), and the client retries. Then
 * it is renewed, once: its unused successor is marked superseded (which makes the parent an older
 * ancestor) and a fresh pair issued, and the session lives on. Whoever presents the superseded
 * successor later holds an answer the retrying client never got, so that is theft too: a thief
 * who replays the parent with a copied user agent is caught when the victim's client uses its
 * token. A replay from another user agent, a second replay, or one after the successor was used
 * is theft at once.
 */
export function spentTokenVerdict(token: SpentToken, graceSeconds: number): 'renew' | 'reuse' {
  const lostAnswer = graceSeconds > 0 && !token.superseded && token.latestSpent && token.sameClient && token.ageSeconds <= graceSeconds;
  return lostAnswer ? 'renew' : 'reuse';
}
