import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { rateLimitConfig, type RateLimitConfig } from '../config/rate-limit.config.js';
import { type CounterStore, FallbackCounterStore, MemoryCounterStore, RedisCounterStore } from './counter-store.js';

/**
 * The counters behind every limit: Redis when `REDIS_URL` is set, so several instances share
 * them (falling back to this process while Redis is unreachable), this process otherwise. Also `@nestjs/throttler`'s storage, as fixed windows that block
 * until they end.
 */
@Injectable()
export class RateLimitStore implements ThrottlerStorage, OnApplicationShutdown {
  readonly counters: CounterStore;

  constructor(@Inject(rateLimitConfig.KEY) config: RateLimitConfig) {
    this.counters = config.redisUrl
      ? new FallbackCounterStore(new RedisCounterStore(config.redisUrl, config.keyPrefix))
      : new MemoryCounterStore();
  }

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string) {
    const { count, resetMs } = await this.counters.increment(`throttle:${throttlerName}:${key}`, ttl);
    const seconds = Math.ceil(resetMs / 1000);
    const isBlocked = count > limit;
    return { totalHits: count, timeToExpire: seconds, isBlocked, timeToBlockExpire: isBlocked ? seconds : 0 };
  }

  onApplicationShutdown(): Promise<void> {
    return this.counters.close();
  }
}
