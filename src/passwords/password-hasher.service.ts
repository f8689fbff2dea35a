import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import argon2 from 'argon2';
import pLimit, { type LimitFunction } from 'p-limit';
import { passwordsConfig, type PasswordHashCost, type PasswordsConfig } from '../config/passwords.config.js';
import { normalizePassword, passwordTooLong } from './password-policy.js';

/** argon2id with one lane at the configured cost (by default OWASP's first configuration, 19 MiB and two passes; docs/security.md). */
export function argon2Options(cost: PasswordHashCost) {
  return { type: argon2.argon2id, memoryCost: cost.memoryKib, timeCost: cost.passes, parallelism: 1 } as const;
}

/**
 * How many hashes to hand to libuv's pool at once so that `concurrency` of them run. When every
 * thread of the pool hashes, one more waits in libuv's own queue: a thread that finishes a hash
 * starts the next at once, rather than idling until the event loop gets round to handing it one
 * (5 % of the CPU idle during a login storm otherwise). With threads to spare that one would
 * start straight away and share the cores, so none is added.
 */
export function hashesInFlight(concurrency: number, threadPoolSize: number): number {
  return concurrency >= threadPoolSize ? threadPoolSize + 1 : concurrency;
}

/**
 * argon2id through the `argon2` binding, which hashes on libuv's thread pool, off the event loop.
 * At most `PASSWORD_HASH_CONCURRENCY` (default: one per CPU, at most the pool's threads) run at
 * once and the rest wait in line: more in flight only slow each other down, take 19 MiB apiece,
 * and leave the event loop and PostgreSQL no CPU for the requests that do not hash.
 */
@Injectable()
export class PasswordHasherService implements OnModuleInit {
  private dummyHash!: Promise<string>;
  private readonly limit: LimitFunction;
  private readonly options: ReturnType<typeof argon2Options>;
  /** How every hash made with `options` begins: version 19 (the binding's only one), then m, p, t in the binding's order. */
  private readonly currentPrefix: string;

  constructor(@Inject(passwordsConfig.KEY) config: PasswordsConfig) {
    this.limit = pLimit(hashesInFlight(config.hashConcurrency, config.threadPoolSize));
    this.options = argon2Options(config.hashCost);
    this.currentPrefix = `$argon2id$v=19$m=${this.options.memoryCost},p=${this.options.parallelism},t=${this.options.timeCost}$`;
  }

  onModuleInit(): void {
    this.dummyHash = this.hash(randomBytes(32).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    const normalized = normalizePassword(password);
    return this.limit(() => argon2.hash(normalized, this.options));
  }

  async verify(hash: string, password: string): Promise<boolean> {
    // No acceptable password is this long: not worth normalising, let alone hashing.
    if (passwordTooLong(password)) return false;
    const normalized = normalizePassword(password);
    try {
      return await this.limit(() => argon2.verify(hash, normalized));
    } catch {
      return false;
    }
  }

  /** Spends one verification's worth of time, so an unknown email costs what a wrong password does. */
  async verifyDummy(password: string): Promise<false> {
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** A hash in the current format and parameters is recognised by its prefix, on every login, without parsing it. */
  needsRehash(hash: string): boolean {
    if (hash.startsWith(this.currentPrefix)) return false;
    return !hash.startsWith('$argon2id$') || argon2.needsRehash(hash, this.options);
  }
}
