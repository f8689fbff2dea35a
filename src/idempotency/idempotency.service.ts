import { createHmac } from 'node:crypto';
import { ConflictException, Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type FindOptionsWhere, IsNull, Raw } from 'typeorm';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { derivedSecret } from '../config/signing-keys.js';
import { IdempotencyKey } from './idempotency-key.entity.js';
import type { IdempotentRequest } from './idempotency-key.js';
import { idempotencyLock, type IdempotencyScope } from './idempotency-lock.js';
import { coded } from '../common/problem-codes.js';

/** How long an answer is kept, and a key stays bound to its request. */
export const IDEMPOTENCY_KEY_LIFETIME_SECONDS = 24 * 60 * 60;

export const KEY_IN_PROGRESS = 'A request with this Idempotency-Key is still being processed';
export const KEY_REUSED = 'This Idempotency-Key was used with another request';

export interface IdempotentOutcome<T> {
  answer: T;
  /** True when this is the stored answer of an earlier request, whose work is not done again. */
  replayed: boolean;
}

/**
 * The `Idempotency-Key` header (IETF httpapi draft "The Idempotency-Key HTTP Header Field"): a
 * request retried with its key after its answer was lost gets that answer, and its work is not
 * done twice. The key's record is written in the work's own transaction, so an acknowledged write
 * and its key commit together, or neither does.
 */
@Injectable()
export class IdempotencyService {
  /**
   * A key without an account (registration) is stored with a keyed fingerprint: its body holds a
   * password, and a plain hash of it next to the email would be far cheaper to guess than its
   * argon2 hash. The key derives from the token-signing material every instance shares; after a
   * rotation a retry no longer matches and runs again (a registration then gets its 409). A
   * user's keys need no secret: their bodies are stored anyway, and a rotation leaves them be.
   */
  private readonly fingerprintKey: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(authConfig.KEY) auth: AuthConfig,
  ) {
    this.fingerprintKey = derivedSecret(auth.keys, 'idempotency-fingerprints');
  }

  /**
   * Runs `work` once per key: without a key, simply on the pool. With one, inside a transaction
   * that holds the key's advisory lock (a concurrent request with the key gets 409), answers a
   * live record of the same request with its stored answer, refuses one of another request with
   * 422, and otherwise does the work and records its answer (JSON-serialisable, as sent).
   */
  async run<T>(
    request: IdempotentRequest | undefined,
    scope: IdempotencyScope,
    work: (em: EntityManager) => Promise<T>,
  ): Promise<IdempotentOutcome<T>> {
    if (!request) return { answer: await work(this.dataSource.manager), replayed: false };
    const fingerprint =
      scope === 'anonymous' ? createHmac('sha256', this.fingerprintKey).update(request.fingerprint).digest('hex') : request.fingerprint;
    return this.dataSource.transaction(async (em) => {
      const [{ locked }] = await em.query<{ locked: boolean }[]>(
        'SELECT pg_try_advisory_xact_lock($1, $2) AS locked',
        idempotencyLock(scope, request),
      );
      if (!locked) throw new ConflictException(coded('idempotency_key_in_progress', KEY_IN_PROGRESS));
      const match: FindOptionsWhere<IdempotencyKey> =
        scope === 'anonymous' ? { userId: IsNull(), key: request.key, fingerprint } : { userId: scope.userId, key: request.key };
      // An expired record is forgotten: its key starts a new request.
      await em.delete(IdempotencyKey, { ...match, expiresAt: Raw((column) => `${column} <= now()`) });
      const stored = await em.findOne(IdempotencyKey, { where: match, select: { fingerprint: true, responseBody: true } });
      if (stored) {
        if (stored.fingerprint !== fingerprint) throw new UnprocessableEntityException(coded('idempotency_key_reused', KEY_REUSED));
        // Dates come back as the strings they were sent as: the replay is the first answer's very JSON.
        return { answer: JSON.parse(stored.responseBody) as T, replayed: true };
      }
      const answer = await work(em);
      await em.insert(IdempotencyKey, {
        userId: scope === 'anonymous' ? null : scope.userId,
        key: request.key,
        fingerprint,
        responseBody: JSON.stringify(answer),
        expiresAt: () => `now() + interval '${IDEMPOTENCY_KEY_LIFETIME_SECONDS} seconds'`,
      });
      return { answer, replayed: false };
    });
  }
}
