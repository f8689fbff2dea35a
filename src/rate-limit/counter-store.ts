import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

// ioredis is loaded when REDIS_URL is set, not at start-up: one instance alone never uses it, and
// it is the largest module on the start-up path.
const require = createRequire(import.meta.url);

/** Fixed-window counters, in Redis for several instances or in this process for one. */
export interface CounterStore {
  /** Counts one hit; the window starts at the first hit and lasts `windowMs`. */
  increment(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  peek(key: string): Promise<{ count: number; resetMs: number }>;
  reset(key: string): Promise<void>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
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

  async ping() {}

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

  constructor(url: string, private readonly prefix: string) {
    // Fail fast rather than queue: a request must not hang while Redis is away.
    const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
    this.redis = new RedisClient(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    this.redis.on('error', () => undefined);
  }

  async increment(key: string, windowMs: number) {
    const [count, ttl] = (await this.redis.eval(INCREMENT, 1, this.prefix + key, windowMs)) as [number, number];
    return { count, resetMs: Math.max(ttl, 0) };
  }

  async peek(key: string) {
    const [[, value], [, ttl]] = (await this.redis.multi().get(this.prefix + key).pttl(this.prefix + key).exec()) as [
      [Error | null, string | null],
      [Error | null, number],
    ];
    return value === null ? { count: 0, resetMs: 0 } : { count: Number(value), resetMs: Math.max(ttl, 0) };
  }

  async reset(key: string) {
    await this.redis.del(this.prefix + key);
  }

  async ping() {
    await this.redis.ping();
  }

  async close() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
