import { availableParallelism } from 'node:os';
import { registerAs, type ConfigType } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { readArea, type Runtime, toInt } from './variables.js';

export interface PasswordHashCost {
  memoryKib: number;
  passes: number;
}

/** OWASP's first argon2id configuration: 19 MiB, two passes. */
export const DEFAULT_PASSWORD_HASH_COST: PasswordHashCost = { memoryKib: 19_456, passes: 2 };

/** The size of libuv's thread pool when `UV_THREADPOOL_SIZE` is not set. */
const LIBUV_DEFAULT_THREADS = 4;

/** The shortest password accepted, and what hashing one costs. */
export class PasswordsVariables {
  @Transform(toInt)
  @IsInt()
  @Min(8)
  @Max(64)
  PASSWORD_MIN_LENGTH = 8;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  PASSWORD_HASH_CONCURRENCY?: number;

  /** argon2id's memory in KiB, and its passes; production takes OWASP's configurations only (`ARGON2_MINIMUMS`). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(1_048_576)
  PASSWORD_HASH_MEMORY_KIB = DEFAULT_PASSWORD_HASH_COST.memoryKib;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  PASSWORD_HASH_PASSES = DEFAULT_PASSWORD_HASH_COST.passes;

  /** Read by libuv itself when the process starts; the app only needs to know it. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024)
  UV_THREADPOOL_SIZE?: number;
}

/**
 * OWASP's argon2id configurations (Password Storage Cheat Sheet), each as strong as the others:
 * a hash cost in production must reach one of them. Outside production a cheaper one is allowed,
 * which the test suite uses, since hashing would otherwise be half of its CPU time.
 */
export const ARGON2_MINIMUMS: readonly PasswordHashCost[] = [
  { memoryKib: 47_104, passes: 1 },
  { memoryKib: 19_456, passes: 2 },
  { memoryKib: 12_288, passes: 3 },
  { memoryKib: 9_216, passes: 4 },
  { memoryKib: 7_168, passes: 5 },
];

export function meetsArgon2Minimum(cost: PasswordHashCost): boolean {
  return ARGON2_MINIMUMS.some((minimum) => cost.memoryKib >= minimum.memoryKib && cost.passes >= minimum.passes);
}

function passwordHashCost(v: PasswordsVariables, runtime: Runtime): PasswordHashCost {
  const cost = { memoryKib: v.PASSWORD_HASH_MEMORY_KIB, passes: v.PASSWORD_HASH_PASSES };
  if (runtime.nodeEnv === 'production' && !meetsArgon2Minimum(cost)) {
    const options = ARGON2_MINIMUMS.map((m) => `${m.memoryKib}/${m.passes}`).join(', ');
    throw new Error(
      `PASSWORD_HASH_MEMORY_KIB=${cost.memoryKib} with PASSWORD_HASH_PASSES=${cost.passes} is weaker than OWASP's argon2id configurations ` +
        `(KiB/passes: ${options}), which production requires: unset both for 19456/2.`,
    );
  }
  return cost;
}

export function toPasswordsConfig(v: PasswordsVariables, runtime: Runtime) {
  const threadPoolSize = v.UV_THREADPOOL_SIZE ?? LIBUV_DEFAULT_THREADS;
  if (v.PASSWORD_HASH_CONCURRENCY !== undefined && v.PASSWORD_HASH_CONCURRENCY > threadPoolSize) {
    throw new Error(
      `PASSWORD_HASH_CONCURRENCY=${v.PASSWORD_HASH_CONCURRENCY} needs as many threads in libuv's pool, which has ${threadPoolSize}: ` +
        `set UV_THREADPOOL_SIZE to at least ${v.PASSWORD_HASH_CONCURRENCY} (npm run start:prod and the Docker image set it to the CPU count).`,
    );
  }
  return {
    /** The fewest characters (code points, after NFKC) a new password may have. */
    minChars: v.PASSWORD_MIN_LENGTH,
    /** At most this many argon2 computations at once; the others wait their turn. */
    hashConcurrency: v.PASSWORD_HASH_CONCURRENCY ?? Math.min(availableParallelism(), threadPoolSize),
    hashCost: passwordHashCost(v, runtime),
    /** Threads in libuv's pool (`UV_THREADPOOL_SIZE`, libuv's default 4), where the hashes run. */
    threadPoolSize,
  };
}

export const passwordsConfig = registerAs('passwords', () => toPasswordsConfig(...readArea(PasswordsVariables)));
export type PasswordsConfig = ConfigType<typeof passwordsConfig>;
