import { BadRequestException, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { coded } from '../common/problem-codes.js';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, Repository } from 'typeorm';
import { purgeInBatches } from '../database/purge-in-batches.js';
import { hashOpaqueToken, isOpaqueTokenShaped, newOpaqueToken } from '../common/opaque-token.js';
import { PasswordsService } from '../passwords/passwords.service.js';
import { UsersService } from '../users/users.service.js';
import { AccountToken, AccountTokenPurpose } from './account-token.entity.js';
import { AccountQueries, type TokenOwner } from './account.queries.js';

/** One answer for every refused password-reset or verification token: unknown, expired, spent or malformed. */
export const INVALID_ACCOUNT_TOKEN = 'Invalid or expired token';

export const TOKEN_LIFETIME_SECONDS: Record<AccountTokenPurpose, number> = {
  [AccountTokenPurpose.PasswordReset]: 30 * 60,
  [AccountTokenPurpose.EmailVerification]: 24 * 60 * 60,
};

export interface IssuedToken {
  userId: number;
  email: string;
  token: string;
}

/**
 * Password-reset and email-verification tokens: 256 random bits, mailed to the user, stored only
 * as their SHA-256, single use, and bound to one purpose, so a token of one kind never works as
 * the other. Issuing replaces the user's previous token of that purpose in the same statement.
 */
@Injectable()
export class AccountTokensService implements OnModuleInit {
  private readonly logger = new Logger(AccountTokensService.name);

  constructor(
    @InjectRepository(AccountToken) private readonly tokens: Repository<AccountToken>,
    private readonly users: UsersService,
    private readonly passwords: PasswordsService,
    private readonly queries: AccountQueries,
  ) {}

  /** Users and passwords sit below account/ and cannot import it: their transactions run these. */
  onModuleInit(): void {
    // A link mailed before the deactivation would otherwise work again once the account is reactivated.
    this.users.onDeactivation((em, userId) => this.voidOutstanding(em, userId));
    // A reset link mailed before a new password would otherwise still set a password afterwards.
    this.passwords.onPasswordSet((em, userId) => this.voidOutstanding(em, userId, AccountTokenPurpose.PasswordReset));
  }

  /**
   * A token for the active account with this (normalised) email, or undefined when there is none.
   * One statement either way, so a known and an unknown address cost the same database work.
   */
  issueForEmail(email: string, purpose: AccountTokenPurpose): Promise<IssuedToken | undefined> {
    return this.issue('email', email, purpose);
  }

  /** A token for this active user, or undefined when the account is inactive or gone. */
  issueForUser(userId: number, purpose: AccountTokenPurpose): Promise<IssuedToken | undefined> {
    return this.issue('id', userId, purpose);
  }

  /** The owner of a live token, without spending it: to check a request before the slow work. */
  async owner(token: string, purpose: AccountTokenPurpose): Promise<TokenOwner> {
    if (!isOpaqueTokenShaped(token)) throw new BadRequestException(coded('invalid_account_token', INVALID_ACCOUNT_TOKEN));
    const owner = await this.queries.liveOwner(hashOpaqueToken(token), purpose);
    if (!owner) throw new BadRequestException(coded('invalid_account_token', INVALID_ACCOUNT_TOKEN));
    return owner;
  }

  /**
   * Spends a live token of `purpose` inside the caller's transaction and returns its active
   * user; unknown, expired, spent, malformed or other-purpose tokens all get one 400. Concurrent
   * spends of one token queue on its row, and only the first finds it unspent.
   */
  async spend(em: EntityManager, token: string, purpose: AccountTokenPurpose): Promise<TokenOwner> {
    if (!isOpaqueTokenShaped(token)) throw new BadRequestException(coded('invalid_account_token', INVALID_ACCOUNT_TOKEN));
    const owner = await this.queries.spend(em, hashOpaqueToken(token), purpose);
    if (!owner) throw new BadRequestException(coded('invalid_account_token', INVALID_ACCOUNT_TOKEN));
    return owner;
  }

  /** Deletes spent and expired tokens. Idempotent, so every instance may run it. */
  @Cron(CronExpression.EVERY_HOUR, { name: 'purge-account-tokens' })
  async purge(): Promise<number> {
    const purged = await purgeInBatches(this.tokens, 'expires_at <= now() OR used_at IS NOT NULL');
    if (purged > 0) this.logger.log(`Purged ${purged} spent or expired account tokens`);
    return purged;
  }

  /** Deletes the user's unspent tokens (of `purpose`, or all) in the caller's transaction; spent ones wait for the purge. */
  private voidOutstanding(em: EntityManager, userId: number, purpose?: AccountTokenPurpose) {
    return em.delete(AccountToken, { userId, usedAt: IsNull(), ...(purpose ? { purpose } : {}) });
  }

  private async issue(by: 'email' | 'id', user: string | number, purpose: AccountTokenPurpose): Promise<IssuedToken | undefined> {
    const token = newOpaqueToken();
    const owner = await this.tokens.manager.transaction(async (em) => {
      // An insert would otherwise wait for its WAL flush and a miss would not, and that difference
      // in response time would tell which addresses have accounts. Losing a just-issued token in a
      // database crash costs only a new request.
      await em.query('SET LOCAL synchronous_commit TO OFF');
      return this.queries.issue(em, by, user, purpose, hashOpaqueToken(token), TOKEN_LIFETIME_SECONDS[purpose]);
    });
    return owner && { ...owner, token };
  }
}
