import { createHash } from 'node:crypto';
import type { IdempotentRequest } from './idempotency-key.js';

/** Whose key it is: a user's, or, for a caller without an account, only requests with the very same body. */
export type IdempotencyScope = { userId: number } | 'anonymous';

/** First half of the advisory lock key, so these locks never meet another feature's. */
const IDEMPOTENCY_LOCK_CLASS = 7_301_002;

/**
 * The two-integer advisory lock held while a key's request runs, shared by every instance on the
 * database. Two keys whose hashes collide only make one of two concurrent requests wait for a retry.
 */
export function idempotencyLock(scope: IdempotencyScope, request: IdempotentRequest): [number, number] {
  const owner = scope === 'anonymous' ? `anonymous:${request.fingerprint}` : `user:${scope.userId}`;
  return [IDEMPOTENCY_LOCK_CLASS, createHash('sha256').update(`${owner}\n${request.key}`).digest().readInt32BE(0)];
}
