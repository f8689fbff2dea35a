import { ForbiddenException, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, Raw, Repository } from 'typeorm';
import { BAD_CREDENTIALS, INACTIVE_ACCOUNT } from '../auth/messages.js';
import { accountConfig, type AccountConfig } from '../config/account.config.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { preparedQuery } from '../database/prepared.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { User } from '../users/user.entity.js';
import { RefreshToken } from './refresh-token.entity.js';
import { hashRefreshToken, isRefreshTokenShaped, newRefreshToken, spentTokenVerdict } from './refresh-token.js';
import { revokeSessions } from './revoke-sessions.js';
import { SessionsQueries } from './sessions.queries.js';
import { type RevocationReason, Session } from './session.entity.js';
import { coded } from '../common/problem-codes.js';

/** Where a login or refresh comes from, as shown in the session list. */
export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}

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
    private readonly securityEvents: SecurityEventsService,
  ) {}

  /**
   * A new session for a login, with its first refresh token, in one statement (so one round trip
   * and its own transaction). The user row is read again under a share lock: a password change,
   * deactivation or deletion that committed after the password was verified refuses the login,
   * and one still running is waited for, then seen. The session and token are inserted only if
   * the hash is still the one verified and the account active. The account's live sessions beyond
   * `SESSIONS_PER_USER_MAX`, the new one counted, end in the same statement, least recently used
   * first, so no account accumulates sessions without limit.
   */
  async start(userId: number, verifiedHash: string, client: ClientInfo): Promise<SessionTokens> {
    const refreshToken = newRefreshToken();
    const [row] = await preparedQuery<{ current: boolean; is_active: boolean; session_id: number | null }>(
      this.sessions.manager,
      `WITH u AS (
         SELECT id, hashed_password = $2 AS current, is_active FROM users WHERE id = $1 FOR SHARE
       ), s AS (
         INSERT INTO sessions (user_id, last_used_at, expires_at, user_agent, ip)
         SELECT id, now(), now() + make_interval(secs => $3), $4::varchar, $5::varchar FROM u WHERE current AND is_active
         RETURNING id
       ), r AS (
         INSERT INTO refresh_tokens (session_id, token_hash) SELECT id, $6 FROM s
       ), evicted AS (
         UPDATE sessions SET revoked_at = now(), revoked_reason = 'session_limit'
          WHERE id IN (SELECT id FROM sessions
                        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND EXISTS (SELECT 1 FROM s)
                        ORDER BY last_used_at DESC, id DESC OFFSET $7 - 1)
       )
       SELECT u.current, u.is_active, s.id AS session_id FROM u LEFT JOIN s ON true`,
      [
        userId,
        verifiedHash,
        this.config.refreshTokenTtlSeconds,
        client.userAgent,
        client.ip,
        hashRefreshToken(refreshToken),
        this.account.sessionsPerUserMax,
      ],
    );
    if (!row?.current) throw new UnauthorizedException(coded('invalid_credentials', BAD_CREDENTIALS));
    if (!row.is_active) throw new ForbiddenException(coded('inactive_account', INACTIVE_ACCOUNT));
    return { userId, sessionId: row.session_id!, refreshToken };
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
      const [session] = await em.query<{ id: number; userId: number; userAgent: string | null }[]>(
        `SELECT s.id, s.user_id AS "userId", s.user_agent AS "userAgent"
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $1)
            AND s.revoked_at IS NULL AND s.expires_at > now() AND u.is_active
            FOR NO KEY UPDATE OF s`,
        [tokenHash],
      );
      if (!session) return { kind: 'refused' };
      const spent = await em
        .createQueryBuilder()
        .update(RefreshToken)
        .set({ usedAt: () => 'now()' })
        .where('token_hash = :tokenHash AND used_at IS NULL', { tokenHash })
        .execute();
      if (!spent.affected) {
        if ((await this.judgeSpentToken(em, tokenHash, session.userAgent === client.userAgent)) === 'reuse') return { kind: 'refused' };
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

  /**
   * A token of a live session presented after it was spent: reuse, which ends the session, or a retry after a lost answer.
   * "Latest spent" means no token issued after it (a higher id: issued under the session's lock) has been spent or
   * superseded. Not compared by `used_at`: that is `now()`, the start of each transaction, and a transaction that began
   * before another yet waited for the lock behind it stamps an earlier time, which let a second renewal through.
   */
  private async judgeSpentToken(em: EntityManager, tokenHash: string, sameClient: boolean): Promise<'renew' | 'reuse'> {
    const [known] = await em.query<{ sessionId: number; userId: number; ageSeconds: number; latestSpent: boolean; superseded: boolean }[]>(
      `SELECT t.session_id AS "sessionId", s.user_id AS "userId",
              EXTRACT(EPOCH FROM (clock_timestamp() - t.used_at))::float8 AS "ageSeconds",
              t.superseded_at IS NOT NULL AS superseded,
              NOT EXISTS (SELECT 1 FROM refresh_tokens n WHERE n.session_id = t.session_id AND n.id > t.id AND n.used_at IS NOT NULL) AS "latestSpent"
         FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
        WHERE t.token_hash = $1`,
      [tokenHash],
    );
    const verdict = spentTokenVerdict({ ...known, sameClient }, this.config.refreshReuseGraceSeconds);
    if (verdict === 'reuse') {
      await revokeSessions(em, { id: known.sessionId }, 'refresh_token_reuse');
      this.securityEvents.record('refresh_token_reuse', { userId: known.userId, sessionId: known.sessionId });
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

  /** Ends one of the user's live sessions; another user's, or an ended one, is a 404. */
  async end(userId: number, sessionId: number, reason: RevocationReason): Promise<void> {
    const live = { id: sessionId, userId, expiresAt: Raw((column: string) => `${column} > now()`) };
    if ((await revokeSessions(this.sessions.manager, live, reason)) === 0)
      throw new NotFoundException(coded('not_found', 'Session not found'));
  }

  /** Ends the session making the request; ending it twice (two logouts racing) is not an error. */
  async endCurrent(userId: number, sessionId: number): Promise<void> {
    await revokeSessions(this.sessions.manager, { id: sessionId, userId }, 'logout');
  }

  /** Ends every live session of the user. */
  async endAll(userId: number, reason: RevocationReason): Promise<void> {
    await revokeSessions(this.sessions.manager, { userId }, reason);
  }
}
