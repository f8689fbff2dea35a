import type { Client } from 'openapi-fetch';
import type { paths } from './schema.js';
import type { ChannelLike, LockManagerLike, StorageLike } from './tab-sync.js';

/**
 * Where the refresh token waits between requests and page loads:
 * - `cookie` (the default in a browser): the API's `HttpOnly` cookie; no script, an injected one
 *   included, can read it, and a reload stays signed in;
 * - `localStorage`: readable by any script on the page, so an XSS flaw can steal it and use it from
 *   elsewhere until the session ends; only for an API on another site, where the cookie cannot go;
 * - `memory`: kept by this object only (Node, or a page that signs in again after each reload).
 */
export type RefreshTokenStorage = 'cookie' | 'localStorage' | 'memory';

export interface AuthSessionOptions {
  /** The API's base URL, e.g. `https://api.example.com`. */
  baseUrl: string;
  refreshTokenStorage?: RefreshTokenStorage;
  /** How long before the access token expires it is refreshed (default 30 s, at most half its lifetime). */
  refreshLeewaySeconds?: number;
  /** How long a tab waits for another tab's pair before refreshing itself (default 1 s). */
  handoverTimeoutMs?: number;
  /** The `fetch` to use; `globalThis.fetch` by default. */
  fetch?: (request: Request) => Promise<Response>;
  /** Cross-tab lock: `navigator.locks` where the browser has it, else one lock per session object. */
  locks?: LockManagerLike;
  /** Cross-tab messages: a `BroadcastChannel` in a browser page; none in Node. `null` turns it off. */
  channel?: ChannelLike | null;
  /** `localStorage` in a browser; none in Node. */
  storage?: StorageLike | null;
  /** Names the channel, the lock and the storage keys (default: one per `baseUrl`). */
  name?: string;
}

/** Why the session ended: a problem's `code` (`invalid_refresh_token`, `session_ended`, `inactive_account` …) or `signed_out`. */
export interface SignedOutEvent {
  code: string;
}

/** A problem+json body as far as the session reads it. */
export interface ProblemBody {
  status: number;
  code: string;
  detail: string;
  [member: string]: unknown;
}

export type SignInResult = { status: 'signed_in' } | { status: 'mfa_required' } | { status: 'refused'; problem: ProblemBody };

export interface AuthSession {
  /** The typed client: each request carries the current access token, refreshed when due, and is retried once after a refresh its 401 `token_expired` called for. */
  readonly api: Client<paths>;
  /** `fetch` with the same care, for requests the typed client does not cover. */
  fetch(request: Request): Promise<Response>;
  readonly signedIn: boolean;
  /**
   * Whether `verifyMfa()` can complete the sign-in: true from a `signIn()` that answered
   * `mfa_required` until the code that completes it, or until a refusal after which the server
   * takes that `mfa_token` no more, when the user must start again with the password: the token
   * itself (`mfa_token_invalid`: expired, out of attempts, or voided), or the account
   * (`inactive_account`, `invalid_credentials`: deactivated or its password changed since the
   * first step; `mfa_not_enabled`). A wrong code (`invalid_mfa_code`), `mfa_locked` and 429 leave it
   * true, and so does the refusal of an earlier sign-in's token.
   */
  readonly mfaPending: boolean;
  /** The password grant. `mfa_required`: call `verifyMfa(code)` with the user's second factor. Drops an earlier pending one. */
  signIn(email: string, password: string): Promise<SignInResult>;
  /** The second step of a sign-in that answered `mfa_required`: a TOTP or recovery code. Throws unless `mfaPending`. */
  verifyMfa(code: string): Promise<SignInResult>;
  /** On page load: resumes the session the browser holds (another tab's, or by a refresh). */
  restore(): Promise<boolean>;
  /** The current access token, refreshed first when it is due; `undefined` when signed out. */
  accessToken(): Promise<string | undefined>;
  /** Ends this session on the server and in every tab. */
  signOut(): Promise<void>;
  /** Ends every session of the user (all devices), then this one in every tab. */
  signOutEverywhere(): Promise<void>;
  /** Called once per sign-out in every tab, with the reason; returns the unsubscribe function. */
  onSignedOut(listener: (event: SignedOutEvent) => void): () => void;
  /** Stops the timer and the channel. */
  close(): void;
}
