import { randomBytes } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import argon2 from 'argon2';
import { normalizePassword } from './password-policy.js';

/** OWASP's first argon2id configuration: 19 MiB, two passes, one lane. Stated in the README. */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** argon2id through the `argon2` binding, which hashes on libuv's thread pool, off the event loop. */
@Injectable()
export class PasswordHasherService implements OnModuleInit {
  private dummyHash!: Promise<string>;

  onModuleInit(): void {
    this.dummyHash = this.hash(randomBytes(32).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    return argon2.hash(normalizePassword(password), ARGON2_OPTIONS);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, normalizePassword(password));
    } catch {
      return false;
    }
  }

  /** Spends one verification's worth of time, so an unknown email costs what a wrong password does. */
  async verifyDummy(password: string): Promise<false> {
    await this.verify(await this.dummyHash, password);
    return false;
  }

  needsRehash(hash: string): boolean {
    return !hash.startsWith('$argon2id$') || argon2.needsRehash(hash, ARGON2_OPTIONS);
  }
}
