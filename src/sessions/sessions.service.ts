import { ForbiddenException, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, Raw, Repository } from 'typeorm';
import { BAD_CREDENTIALS, INACTIVE_ACCOUNT } from '../auth/messages.js';
import { accountConfig, type AccountConfig } from '../config/account.config.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/client-ip.js';
import { User } from '../users/user.entity.js';
import { RefreshToken } from './refresh-token.entity.js';
import { hashRefreshToken, isRefreshTokenShaped, newRefreshToken, spentTokenVerdict } from './refresh-token.js';
import { revokeSessions } from './revoke-sessions.js';
import { SessionsQueries } from './sessions.queries.js';
import { Session } from './session.entity.js';
import { coded } from '../common/problem-codes.js';

export interface SessionTokens {
  userId: number;
  sessionId: number;
  refreshToken: string;
}

/** Every refusal of a refresh token has this one body: unknown, spent, expired or revoked alike. */
export const INVALID_REFRESH_TOKEN = 'Invalid refresh token';

type Rotation = { kind: 'rotated'; tokens: SessionTokens } | { kind: 'refused' };

@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly queries: SessionsQueries,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
    @Inject(accountConfig.KEY) private readonly account: AccountConfig,
    private readonly audit: AuditService,
  ) {}

  /**
   * A new session for a login, with its first refresh token and its `login.succeeded` audit event,
   * in one statement that re-checks the verified hash and the account under a lock and ends the
   * sessions beyond `SESSIONS_PER_USER_MAX` (see `SessionsQueries.startSession`). `mfa`: whether a
   * second factor completed the sign-in.
   */
  async start(userId: number, verifiedHash: string, client: ClientInfo, mfa: boolean): Promise<SessionTokens> {
    const refreshToken = newRefreshToken();
    const started = await this.queries.startSession({
      userId,
      verifiedHash,
      ttlSeconds: this.config.refreshTokenTtlSeconds,
      userAgent: client.userAgent,
      ip: client.ip,
      tokenHash: hashRefreshToken(refreshToken),
      sessionsMax: this.account.sessionsPerUserMax,
      mfa,
    });
    if (!started?.current) throw new UnauthorizedException(coded('invalid_credentials', BAD_CREDENTIALS));
    if (!started.isActive) throw new ForbiddenException(coded('inactive_account', INACTIVE_ACCOUNT));
    this.audit.written('login.succeeded', { userId, client, details: { session_id: started.sessionId!, mfa } });
    return { userId, sessionId: started.sessionId!, refreshToken };
  }

  /**
   * Spends `token` and returns its successor. The session row is locked first (the order a user
   * deletion cascades in), so concurrent presentations of one token queue: the first wins, and
   * each later one finds the token spent. A spent token presented again revokes its session (the
   * revocation commits, then the 401 is thrown), unless it is a retry after a lost answer, which
   * gets a fresh pair in place of the one that was lost (see `spentTokenVerdict`).
   */
  async rotate(token: string, client: ClientInfo): Promise<SessionTokens> {
    if (!isRefreshTokenShaped(token)) throw new UnauthorizedException(coded('invalid_refresh_token', INVALID_REFRESH_TOKEN));
    const tokenHash = hashRefreshToken(token);
    const rotation = await this.sessions.manager.transaction(async (em): Promise<Rotation> => {
      const session = await this.queries.lockSessionOfToken(em, tokenHash);
      if (!session) return { kind: 'refused' };
      const spent = await em
        .createQueryBuilder()
        .update(RefreshToken)
        .set({ usedAt: () => 'now()' })
        .where('token_hash = :tokenHash AND used_at IS NULL', { tokenHash })
        .execute();
      if (!spent.affected) {
        if ((await this.judgeSpentToken(em, tokenHash, client, session.userAgent === client.userAgent)) === 'reuse')
          return { kind: 'refused' };
        // The lost successor, never used, stops working (one live refresh token per session), and
        // presenting it later is reuse.
        await em.update(RefreshToken, { sessionId: session.id, usedAt: IsNull() }, { usedAt: () => 'now()', supersededAt: () => 'now()' });
      }
      const refreshToken = newRefreshToken();
      await em.insert(RefreshToken, { sessionId: session.id, tokenHash: hashRefreshToken(refreshToken) });
      await em.update(Session, { id: session.id }, { lastUsedAt: () => 'now()', userAgent: client.userAgent, ip: client.ip });
      return { kind: 'rotated', tokens: { userId: session.userId, sessionId: session.id, refreshToken } };
    });
    if (rotation.kind === 'refused') throw new UnauthorizedException(coded('invalid_refresh_token', INVALID_REFRESH_TOKEN));
    return rotation.tokens;
  }

  /** A token of a live session presented after it was spent: reuse, which ends the session, or a retry after a lost answer. */
  private async judgeSpentToken(em: EntityManager, tokenHash: string, client: ClientInfo, sameClient: boolean): Promise<'renew' | 'reuse'> {
    // Found: its session was just locked by the same token.
    const known = (await this.queries.spentTokenFacts(em, tokenHash))!;
    const verdict = spentTokenVerdict({ ...known, sameClient }, this.config.refreshReuseGraceSeconds);
    if (verdict === 'reuse') {
      await revokeSessions(em, { id: known.sessionId }, 'refresh_token_reuse');
      await this.audit.record(em, 'refresh.reuse_detected', { userId: known.userId, client, details: { session_id: known.sessionId } });
    }
    return verdict;
  }

  /** The user of an access token and whether its session is live (see `SessionsQueries`). */
  findUserForSession(userId: number, sessionId: number): Promise<{ user: User | null; sessionLive: boolean }> {
    return this.queries.findUserForSession(userId, sessionId);
  }

  /** The user's live sessions, most recently used first. */
  listLive(userId: number): Promise<Session[]> {
    return this.sessions.find({
      where: { userId, revokedAt: IsNull(), expiresAt: Raw((column) => `${column} > now()`) },
      order: { lastUsedAt: 'DESC', id: 'DESC' },
    });
  }

  /** Ends one of the user's live sessions, audited; another user's, or an ended one, is a 404. */
  async end(userId: number, sessionId: number, client: ClientInfo): Promise<void> {
    const live = { id: sessionId, userId, expiresAt: Raw((column: string) => `${column} > now()`) };
    await this.sessions.manager.transaction(async (em) => {
      if ((await revokeSessions(em, live, 'ended_by_user')) === 0) throw new NotFoundException(coded('not_found', 'Session not found'));
      await this.audit.record(em, 'session.revoked', { userId, actorId: userId, client, details: { session_id: sessionId } });
    });
  }

  /** Ends the session making the request; ending it twice (two logouts racing) is not an error. */
  async endCurrent(userId: number, sessionId: number): Promise<void> {
    await revokeSessions(this.sessions.manager, { id: sessionId, userId }, 'logout');
  }

  /** The seconds left to the session of a just-issued (unspent) refresh token; 0 once it ended. */
  async secondsLeft(refreshToken: string): Promise<number> {
    return (await this.queries.liveTokenSession(hashRefreshToken(refreshToken)))?.secondsLeft ?? 0;
  }

  /** A logout by the refresh cookie: ends the session of that token while it is its newest; any other ends nothing. */
  async endByRefreshToken(refreshToken: string): Promise<void> {
    if (!isRefreshTokenShaped(refreshToken)) return;
    const live = await this.queries.liveTokenSession(hashRefreshToken(refreshToken));
    if (live) await this.endCurrent(live.userId, live.sessionId);
  }

  /** Ends every live session of the user (`POST /auth/logout-all`), audited. */
  async endAll(userId: number, client: ClientInfo): Promise<void> {
    await this.sessions.manager.transaction(async (em) => {
      const ended = await revokeSessions(em, { userId }, 'logout_all');
      await this.audit.record(em, 'session.revoked', {
        userId,
        actorId: userId,
        client,
        details: { reason: 'logout_all', sessions_ended: ended },
      });
    });
  }
}
