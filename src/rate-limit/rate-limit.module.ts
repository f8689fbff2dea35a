import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { rateLimitConfig, type RateLimitConfig } from '../config/configuration.js';
import { AccountKeys } from './account-keys.js';
import { LoginFailuresService } from './login-failures.service.js';
import { MailLimitService } from './mail-limit.service.js';
import { onlyFor } from './rate-limit.decorator.js';
import { RateLimitStore } from './rate-limit.store.js';

@Global()
@Module({
  providers: [RateLimitStore, AccountKeys, LoginFailuresService, MailLimitService],
  exports: [RateLimitStore, LoginFailuresService, MailLimitService],
})
class RateLimitStoreModule {}

/** Per-IP limits on login, registration, refresh and mail-sending operations; per-account login failures and mails. */
@Module({
  imports: [
    RateLimitStoreModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStoreModule],
      inject: [rateLimitConfig.KEY, RateLimitStore],
      useFactory: (config: RateLimitConfig, storage: RateLimitStore) => ({
        storage,
        // Our own Retry-After only; no per-throttler headers naming internal limits.
        setHeaders: false,
        throttlers: [
          { name: 'login', ttl: 60_000, limit: config.loginPerMinute, skipIf: onlyFor('login') },
          { name: 'register', ttl: 3_600_000, limit: config.registerPerHour, skipIf: onlyFor('register') },
          { name: 'refresh', ttl: 60_000, limit: config.refreshPerMinute, skipIf: onlyFor('refresh') },
          { name: 'mail', ttl: 3_600_000, limit: config.mailPerHour, skipIf: onlyFor('mail') },
        ],
      }),
    }),
  ],
  exports: [RateLimitStoreModule],
})
export class RateLimitModule {}
