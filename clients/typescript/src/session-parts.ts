import type { ProblemBody, RefreshTokenStorage } from './auth-session.types.js';
import { inProcessLock, type StorageLike } from './tab-sync.js';

/** Answers that mean the session is over for good: no refresh can help. */
export const ENDED = new Set(['session_ended', 'invalid_token', 'inactive_account', 'invalid_refresh_token']);

/**
 * Verify answers after which the server takes that `mfa_token` no more, so the second step is over
 * and only a new sign-in helps: the token refused itself (expired, out of attempts, voided), or a
 * right code spent it but no session started (the account deactivated, or its password changed,
 * between the two steps), or MFA was turned off meanwhile (the token is refused from then on). Every
 * other refusal leaves the token live while it has attempts and time left: a wrong code
 * (`invalid_mfa_code`), a limit (429 `rate_limited`, or `mfa_locked`, which a recovery code passes),
 * a 5xx or no answer at all.
 */
export const MFA_STEP_ENDED = new Set(['mfa_token_invalid', 'invalid_credentials', 'inactive_account', 'mfa_not_enabled']);

/** Where the refresh token is kept, by mode. */
export interface RefreshTokenStore {
  save(token: string | undefined): void;
  read(): string | undefined;
  clear(): void;
}

export function storeFor(mode: RefreshTokenStorage, storage: StorageLike | undefined, key: string): RefreshTokenStore {
  if (mode === 'cookie') return { save() {}, read: () => undefined, clear() {} };
  if (mode === 'localStorage') {
    if (!storage) throw new Error('refreshTokenStorage "localStorage" needs localStorage (or the storage option)');
    return {
      save: (token) => token !== undefined && storage.setItem(key, token),
      read: () => storage.getItem(key) ?? undefined,
      clear: () => storage.removeItem(key),
    };
  }
  let token: string | undefined;
  return {
    save: (value) => (token = value ?? token),
    read: () => token,
    clear: () => (token = undefined),
  };
}

export async function problemOf(response: Response): Promise<ProblemBody> {
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as Partial<ProblemBody> | undefined;
  return {
    ...body,
    status: response.status,
    code: typeof body?.code === 'string' ? body.code : 'unknown',
    detail: body?.detail ?? response.statusText,
  };
}

/** A browser page's defaults: its lock manager, a channel and `localStorage`; none of them in Node. */
export function browserDefaults(name: string) {
  const inPage = typeof document !== 'undefined';
  type Locks = { request(name: string, callback: () => Promise<unknown>): Promise<unknown> };
  // Pages only: Node 24's navigator.locks would tie every session object of a process together.
  const navigatorLocks = inPage ? (globalThis as { navigator?: { locks?: Locks } }).navigator?.locks : undefined;
  return {
    locks: navigatorLocks
      ? { request: <T>(lock: string, callback: () => Promise<T>) => navigatorLocks.request(lock, callback) as Promise<T> }
      : inProcessLock(),
    channel: inPage && typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : undefined,
    storage: inPage && typeof localStorage !== 'undefined' ? localStorage : undefined,
  };
}
