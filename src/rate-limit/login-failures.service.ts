import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { securityEvent } from '../common/security-events.js';
import { rateLimitConfig, type RateLimitConfig } from '../config/configuration.js';
import { RateLimitStore } from './rate-limit.store.js';
import { RateLimitedException } from './rate-limited.exception.js';

const WINDOW_MS = 15 * 60 * 1000;

/**
 * Failed logins per account (`RATE_LIMIT_LOGIN_FAILURES` per 15 minutes), keyed on the
 * normalised email, known or not, so case and spaces do not reset it and unknown accounts look
 * the same. A blocked account is refused before any hashing; the window passing or a successful
 * login clears it. Other accounts are never affected.
 */
@Injectable()
export class LoginFailuresService {
  constructor(
    private readonly store: RateLimitStore,
    @Inject(rateLimitConfig.KEY) private readonly config: RateLimitConfig,
  ) {}

  async assertNotBlocked(email: string): Promise<void> {
    const { count, resetMs } = await this.store.counters.peek(key(email));
    if (count >= this.config.loginFailures) {
      securityEvent('login_throttled', { failures: count });
      throw new RateLimitedException(Math.max(1, Math.ceil(resetMs / 1000)));
    }
  }

  async recordFailure(email: string): Promise<void> {
    await this.store.counters.increment(key(email), WINDOW_MS);
  }

  async reset(email: string): Promise<void> {
    await this.store.counters.reset(key(email));
  }
}

/** Hashed: the store holds no email addresses. */
function key(email: string): string {
  return `login-failures:${createHash('sha256').update(email).digest('hex')}`;
}
