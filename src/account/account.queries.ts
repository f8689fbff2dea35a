import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { AccountToken, AccountTokenPurpose } from './account-token.entity.js';

/** The active user a token belongs to. */
export interface TokenOwner {
  userId: number;
  email: string;
}

/** The two ways a token's user is named: fixed text each, so no caller's text reaches the SQL. */
const USER_MATCH = { email: 'email = $1', id: 'id = $1' } as const;

/**
 * The account module's hand-written SQL: statements whose conditions span the token and its user
 * (an active account) and whose locks the query builder cannot say (an upsert that reads the user
 * under a share lock; an update joined to the user). Fixed text, values bound as parameters;
 * `test/e2e/queries.e2e-spec.ts` runs each against the migrated schema.
 */
@Injectable()
export class AccountQueries {
  constructor(@InjectRepository(AccountToken) private readonly tokens: Repository<AccountToken>) {}

  /**
   * Stores a token for the active user named by `by`, replacing that user's previous one of the
   * purpose; in `em`'s transaction. FOR SHARE: a deactivation in progress (which voids the
   * account's tokens) is waited for and its outcome read, so no token is issued beside it that a
   * reactivation would bring back. Undefined when no active user matches.
   */
  async issue(
    em: EntityManager,
    by: keyof typeof USER_MATCH,
    user: string | number,
    purpose: AccountTokenPurpose,
    tokenHash: string,
    lifetimeSeconds: number,
  ): Promise<TokenOwner | undefined> {
    const rows = await em.query<TokenOwner[]>(
      `WITH target AS (SELECT id, email FROM users WHERE ${USER_MATCH[by]} AND is_active FOR SHARE)
       INSERT INTO account_tokens (user_id, purpose, token_hash, expires_at)
       SELECT id, $2, $3, now() + make_interval(secs => $4) FROM target
       ON CONFLICT (user_id, purpose) DO UPDATE
         SET token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at, created_at = now(), used_at = NULL
       RETURNING user_id AS "userId", (SELECT email FROM target) AS email`,
      [user, purpose, tokenHash, lifetimeSeconds],
    );
    return rows.length === 1 ? rows[0] : undefined;
  }

  /** The active owner of a live (unspent, unexpired) token of `purpose`, without spending it. */
  async liveOwner(tokenHash: string, purpose: AccountTokenPurpose): Promise<TokenOwner | undefined> {
    const rows = await this.tokens.query<TokenOwner[]>(
      `SELECT t.user_id AS "userId", u.email FROM account_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > now() AND u.is_active`,
      [tokenHash, purpose],
    );
    return rows.length === 1 ? rows[0] : undefined;
  }

  /**
   * Spends a live token of `purpose` of an active user in `em`'s transaction and returns that
   * user. Concurrent spends of one token queue on its row, and only the first finds it unspent.
   */
  async spend(em: EntityManager, tokenHash: string, purpose: AccountTokenPurpose): Promise<TokenOwner | undefined> {
    const [rows] = await em.query<[TokenOwner[], number]>(
      `UPDATE account_tokens t SET used_at = now()
         FROM users u
        WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > now()
          AND u.id = t.user_id AND u.is_active
        RETURNING t.user_id AS "userId", u.email`,
      [tokenHash, purpose],
    );
    return rows.length === 1 ? rows[0] : undefined;
  }
}
