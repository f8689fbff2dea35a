import { Inject, Injectable } from '@nestjs/common';
import { rateLimitConfig, type RateLimitConfig } from '../config/rate-limit.config.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { AccountKeys } from './account-keys.js';
import { RateLimitStore } from './rate-limit.store.js';
import { RateLimitedException } from './rate-limited.exception.js';

const WINDOW_MS = 60 * 60 * 1000;

/**
 * Mails asked for one address (`RATE_LIMIT_MAIL_PER_ACCOUNT` per hour), one budget for all of
 * them: password-reset requests and verification links (registration, resend, refused login), so
 * nobody can flood an inbox by taking turns between routes. Counted on the normalised email
 * whether or not an account uses it, so a 429 says nothing about which addresses are registered.
 */
@Injectable()
export class MailLimitService {
  constructor(
    private readonly store: RateLimitStore,
    private readonly keys: AccountKeys,
    @Inject(rateLimitConfig.KEY) private readonly config: RateLimitConfig,
    private readonly securityEvents: SecurityEventsService,
  ) {}

  /** Counts one mail for `email`; 429 with `Retry-After` past the limit. */
  async consume(email: string): Promise<void> {
    const { count, resetMs } = await this.store.counters.increment(this.keys.key('mail', email), WINDOW_MS);
    if (count > this.config.mailPerAccount) {
      this.securityEvents.record('mail_throttled', { mails: count });
      throw new RateLimitedException(Math.max(1, Math.ceil(resetMs / 1000)));
    }
  }

  /** As `consume`, for mails nobody asked for explicitly: false (and no error) past the limit. */
  async tryConsume(email: string): Promise<boolean> {
    return this.consume(email).then(
      () => true,
      (error: unknown) => {
        if (error instanceof RateLimitedException) return false;
        throw error;
      },
    );
  }
}
