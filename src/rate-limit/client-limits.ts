import { createHash } from 'node:crypto';
import type { RateLimitConfig } from '../config/rate-limit.config.js';

export type RateLimitName = 'login' | 'register' | 'refresh' | 'mail';

/** Each named per-client-IP limit: so many operations per window. */
export function clientLimits(config: RateLimitConfig): Record<RateLimitName, { ttl: number; limit: number }> {
  return {
    login: { ttl: 60_000, limit: config.loginPerMinute },
    register: { ttl: 3_600_000, limit: config.registerPerHour },
    refresh: { ttl: 60_000, limit: config.refreshPerMinute },
    mail: { ttl: 3_600_000, limit: config.mailPerHour },
  };
}

/**
 * One budget per client and limit name, whichever operation spends it: the throttler's own key
 * also names the handler, which would give every route that checks a password a fresh budget.
 */
export function clientLimitKey(name: string, tracker: string): string {
  return createHash('sha256').update(`${name}-${tracker}`).digest('hex');
}
