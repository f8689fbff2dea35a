import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { rateLimitConfig, type RateLimitConfig } from '../config/rate-limit.config.js';
import { SecurityEventsModule } from '../security-events/security-events.module.js';
import { AccountKeys } from './account-keys.js';
import { ClientLimitService } from './client-limit.service.js';
import { clientLimits, type RateLimitName } from './client-limits.js';
import { LoginFailuresService } from './login-failures.service.js';
import { MailLimitService } from './mail-limit.service.js';
import { onlyFor } from './rate-limit.decorator.js';
import { RateLimitStore } from './rate-limit.store.js';

@Module({
  imports: [SecurityEventsModule],
  providers: [RateLimitStore, AccountKeys, LoginFailuresService, MailLimitService, ClientLimitService],
  exports: [RateLimitStore, LoginFailuresService, MailLimitService, ClientLimitService],
})
class RateLimitStoreModule {}

/**
 * Per-IP limits on login, registration, refresh and mail-sending operations; per-account login
 * failures and mails. A module whose controllers use `@RateLimit`, or whose services count, imports
 * this one: it also exports what the guard injects.
 */
@Module({
  imports: [
    RateLimitStoreModule,
    SecurityEventsModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStoreModule],
      inject: [rateLimitConfig.KEY, RateLimitStore],
      useFactory: (config: RateLimitConfig, storage: RateLimitStore) => ({
        storage,
        // Our own Retry-After only; no per-throttler headers naming internal limits.
        setHeaders: false,
        throttlers: Object.entries(clientLimits(config)).map(([name, { ttl, limit }]) => ({
          name,
          ttl,
          limit,
          skipIf: onlyFor(name as RateLimitName),
        })),
      }),
    }),
  ],
  exports: [RateLimitStoreModule, SecurityEventsModule],
})
export class RateLimitModule {}
