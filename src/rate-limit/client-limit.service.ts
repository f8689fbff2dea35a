import { Inject, Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { rateLimitConfig, type RateLimitConfig } from '../config/rate-limit.config.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { clientLimitKey, clientLimits, type RateLimitName } from './client-limits.js';
import { RateLimitStore } from './rate-limit.store.js';
import { RateLimitedException } from './rate-limited.exception.js';

/**
 * Spends a named per-client-IP budget from a service, for operations that share a limit with a
 * route guarded by `@RateLimit(name)`: the same counter, the same 429.
 */
@Injectable()
export class ClientLimitService {
  private readonly limits: ReturnType<typeof clientLimits>;

  constructor(
    private readonly store: RateLimitStore,
    @Inject(rateLimitConfig.KEY) config: RateLimitConfig,
    private readonly securityEvents: SecurityEventsService,
  ) {
    this.limits = clientLimits(config);
  }

  async consume(name: RateLimitName, ip: string): Promise<void> {
    const { ttl, limit } = this.limits[name];
    // The throttler guard's own tracker: IPv6 clients are counted per /64, as it counts them.
    const { isBlocked, timeToBlockExpire } = await this.store.increment(clientLimitKey(name, normalizeIp(ip)), ttl, limit, 0, name);
    if (isBlocked) {
      this.securityEvents.record('rate_limited', { limit: name, ip });
      throw new RateLimitedException(Math.max(1, timeToBlockExpire));
    }
  }

  /** As `consume`, for what the client did not ask for explicitly (a reminder mail): false past the limit. */
  async tryConsume(name: RateLimitName, ip: string): Promise<boolean> {
    try {
      await this.consume(name, ip);
      return true;
    } catch (error) {
      if (error instanceof RateLimitedException) return false;
      throw error;
    }
  }
}
