import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';

/** Fixed-window counters, in Redis for several instances or in this process for one. */
export interface CounterStore {
  /** Counts one hit; the window starts at the first hit and lasts `windowMs`. */
  increment(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  peek(key: string): Promise<{ count: number; resetMs: number }>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, { count: number; expiresAt: number }>();
  private readonly sweeper = setInterval(() => this.sweep(), 60_000).unref();

  async increment(key: string, windowMs: number) {
    const now = Date.now();
    let counter = this.counters.get(key);
    if (!counter || counter.expiresAt <= now) {
      counter = { count: 0, expiresAt: now + windowMs };
      this.counters.set(key, counter);
    }
    counter.count += 1;
    return { count: counter.count, resetMs: counter.expiresAt - now };
  }

  async peek(key: string) {
    const counter = this.counters.get(key);
    const now = Date.now();
    return counter && counter.expiresAt > now ? { count: counter.count, resetMs: counter.expiresAt - now } : { count: 0, resetMs: 0 };
  }

  async reset(key: string) {
    this.counters.delete(key);
  }

  async close() {
    clearInterval(this.sweeper);
  }

  private sweep() {
    const now = Date.now();
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
  }
}

/** INCR and PEXPIRE in one script, so a window is never left without an expiry. */
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`;

export class RedisCounterStore implements CounterStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    // Fail fast rather than queue or wait: a request must not hang while Redis is away.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1_000, lazyConnect: false });
    this.redis.on('error', () => undefined);
  }

  /** Connected and ready for commands; ioredis reconnects by itself after an outage. */
  get available(): boolean {
    return this.redis.status === 'ready';
  }

  async increment(key: string, windowMs: number) {
    const [count, ttl] = (await this.redis.eval(INCREMENT, 1, this.prefix + key, windowMs)) as [number, number];
    return { count, resetMs: Math.max(ttl, 0) };
  }

  async peek(key: string) {
    const [[, value], [, ttl]] = (await this.redis
      .multi()
      .get(this.prefix + key)
      .pttl(this.prefix + key)
      .exec()) as [[Error | null, string | null], [Error | null, number]];
    return value === null ? { count: 0, resetMs: 0 } : { count: Number(value), resetMs: Math.max(ttl, 0) };
  }

  async reset(key: string) {
    await this.redis.del(this.prefix + key);
  }

  async close() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

const RETRY_AFTER_FAILURE_MS = 5_000;

/**
 * Redis while it answers, and this process's own counters while it does not: the service keeps
 * answering through a Redis outage, each instance limiting on its own until Redis is back. Both
 * changes are logged once.
 */
export class FallbackCounterStore implements CounterStore {
  private readonly logger = new Logger('RateLimit');
  private degraded = false;
  /** After a failed command, Redis is left alone until then: a stalled server costs one timeout, not one per request. */
  private retryAt = 0;

  constructor(
    private readonly primary: RedisCounterStore,
    private readonly fallback: CounterStore = new MemoryCounterStore(),
  ) {}

  /** True while the counters live in this process because Redis cannot be reached. */
  get usingFallback(): boolean {
    return !this.primary.available || Date.now() < this.retryAt;
  }

  private async run<T>(operation: (store: CounterStore) => Promise<T>): Promise<T> {
    if (!this.usingFallback) {
      try {
        const result = await operation(this.primary);
        if (this.degraded) {
          this.degraded = false;
          this.logger.log('Redis answers again: rate-limit counters are shared across instances again');
        }
        return result;
      } catch (error) {
        this.retryAt = Date.now() + RETRY_AFTER_FAILURE_MS;
        this.degrade(error instanceof Error ? error.message : String(error));
      }
    } else {
      this.degrade('not connected');
    }
    return operation(this.fallback);
  }

  private degrade(reason: string): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(`Redis unreachable (${reason}): rate-limit counters fall back to this process until it answers`);
  }

  increment(key: string, windowMs: number) {
    return this.run((store) => store.increment(key, windowMs));
  }

  peek(key: string) {
    return this.run((store) => store.peek(key));
  }

  reset(key: string) {
    return this.run((store) => store.reset(key));
  }

  async close() {
    await Promise.all([this.primary.close(), this.fallback.close()]);
  }
}
