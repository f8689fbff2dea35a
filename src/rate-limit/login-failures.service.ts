import { Inject, Injectable } from '@nestjs/common';
import { rateLimitConfig, type RateLimitConfig } from '../config/rate-limit.config.js';
import { AccountKeys } from './account-keys.js';
import { RateLimitStore } from './rate-limit.store.js';
import { RateLimitedException } from './rate-limited.exception.js';

const WINDOW_MS = 15 * 60 * 1000;

/** One counted login attempt on an account. */
export interface LoginAttempt {
  /** The password was right: the account's count starts again. */
  succeeded(): Promise<void>;
}

/**
 * Login attempts per account (`RATE_LIMIT_LOGIN_FAILURES` per 15 minutes), keyed on the
 * normalised email, known or not, so case and spaces do not reset it and unknown accounts look
 * the same. Each attempt is counted before its password is checked, so a burst of parallel
 * guesses gets no more tries than a sequence; a successful login clears the count. A blocked
 * account is refused before any hashing, until the window passes; other accounts never are.
 */
@Injectable()
export class LoginFailuresService {
  constructor(
    private readonly store: RateLimitStore,
    private readonly keys: AccountKeys,
    @Inject(rateLimitConfig.KEY) private readonly config: RateLimitConfig,
  ) {}

  private key(email: string): string {
    return this.keys.key('login-failures', email);
  }

  /**
   * Counts an attempt, or refuses it (429) once `onRefused` has recorded the refusal, which the
   * caller knows how to (the account, the client); the result clears the count once the password
   * proved right. Every check of the account's password counts here, at login or elsewhere.
   */
  async countAttempt(email: string, onRefused: (attempts: number) => Promise<unknown>): Promise<LoginAttempt> {
    // The key is an HMAC: worked out once per attempt, not again for the reset.
    const key = this.key(email);
    const { count, resetMs } = await this.store.counters.increment(key, WINDOW_MS);
    if (count > this.config.loginFailures) {
      await onRefused(count);
      throw new RateLimitedException(Math.max(1, Math.ceil(resetMs / 1000)));
    }
    return { succeeded: () => this.store.counters.reset(key) };
  }

  /** Starts the account's count again (a password reset proved the owner). */
  async clear(email: string): Promise<void> {
    await this.store.counters.reset(this.key(email));
  }
}
