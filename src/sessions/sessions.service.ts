import { Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, MoreThan, Not, Repository } from 'typeorm';
import { authConfig, type AuthConfig } from '../config/configuration.js';
import { User } from '../users/user.entity.js';
import { RefreshToken } from './refresh-token.entity.js';
import { hashRefreshToken, isRefreshTokenShaped, newRefreshToken, spentTokenVerdict } from './refresh-token.js';
import { revokeSessions } from './revoke-sessions.js';
import { type RevocationReason, Session } from './session.entity.js';

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
    @InjectRepository(User) private readonly users: Repository<User>,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {}

  /** A new session for a login, with its first refresh token. */
  start(userId: number, client: ClientInfo): Promise<SessionTokens> {
    return this.sessions.manager.transaction(async (em) => {
      const now = Date.now();
      const session = await em.save(
        em.create(Session, {
          userId,
          lastUsedAt: new Date(now),
          expiresAt: new Date(now + this.config.refreshTokenTtlSeconds * 1000),
          userAgent: client.userAgent,
          ip: client.ip,
        }),
      );
      const refreshToken = newRefreshToken();
      await em.insert(RefreshToken, { sessionId: session.id, tokenHash: hashRefreshToken(refreshToken) });
      return { userId, sessionId: session.id, refreshToken };
    });
  }

  /**
   * Spends `token` and returns its successor. The conditional update lets exactly one of any
   * number of concurrent presentations win; a spent token presented again revokes its session
   * (outside the grace window), and the revocation is committed before the 401 is thrown.
   */
  async rotate(token: string, client: ClientInfo): Promise<SessionTokens> {
    if (!isRefreshTokenShaped(token)) throw new UnauthorizedException(INVALID_REFRESH_TOKEN);
    const tokenHash = hashRefreshToken(token);
    const rotation = await this.sessions.manager.transaction(async (em): Promise<Rotation> => {
      const spent = await em
        .createQueryBuilder()
        .update(RefreshToken)
        .set({ usedAt: () => 'now()' })
        .where('token_hash = :tokenHash AND used_at IS NULL', { tokenHash })
        .returning('session_id')
        .execute();
      const sessionId = (spent.raw as { session_id: number }[])[0]?.session_id;
      if (sessionId === undefined) {
        await this.handleSpentToken(em, tokenHash);
        return { kind: 'refused' };
      }
      const session = await em.findOne(Session, { where: { id: sessionId }, relations: { user: true } });
      if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now() || !session.user?.isActive) {
        return { kind: 'refused' };
      }
      const refreshToken = newRefreshToken();
      await em.insert(RefreshToken, { sessionId, tokenHash: hashRefreshToken(refreshToken) });
      await em.update(Session, { id: sessionId }, { lastUsedAt: () => 'now()', userAgent: client.userAgent, ip: client.ip });
      return { kind: 'rotated', tokens: { userId: session.userId, sessionId, refreshToken } };
    });
    if (rotation.kind === 'refused') throw new UnauthorizedException(INVALID_REFRESH_TOKEN);
    return rotation.tokens;
  }

  /** A token that could not be spent: unknown (nothing to do), or spent before (reuse or grace). */
  private async handleSpentToken(em: EntityManager, tokenHash: string): Promise<void> {
    const [known] = (await em.query(
      `SELECT t.session_id AS "sessionId",
              EXTRACT(EPOCH FROM (clock_timestamp() - t.used_at))::float8 AS "ageSeconds",
              NOT EXISTS (SELECT 1 FROM refresh_tokens n WHERE n.session_id = t.session_id AND n.used_at > t.used_at) AS "latestSpent"
         FROM refresh_tokens t
        WHERE t.token_hash = $1 AND t.used_at IS NOT NULL`,
      [tokenHash],
    )) as { sessionId: number; ageSeconds: number; latestSpent: boolean }[];
    if (known && spentTokenVerdict(known, this.config.refreshReuseGraceSeconds) === 'reuse') {
      await revokeSessions(em, { id: known.sessionId }, 'refresh_token_reuse');
    }
  }

  /**
   * The user of an access token and whether its session is live, in one indexed query: the
   * user row the JWT strategy loads anyway, with the session joined to it.
   */
  async findUserForSession(userId: number, sessionId: number): Promise<{ user: User | null; sessionLive: boolean }> {
    const { entities, raw } = await this.users
      .createQueryBuilder('user')
      .leftJoin(
        Session,
        'session',
        'session.id = :sessionId AND session.user_id = user.id AND session.revoked_at IS NULL AND session.expires_at > now()',
        { sessionId },
      )
      .addSelect('session.id', 'live_session_id')
      .where('user.id = :userId', { userId })
      .getRawAndEntities<{ live_session_id: number | null }>();
    return { user: entities[0] ?? null, sessionLive: raw[0]?.live_session_id != null };
  }

  /** The user's live sessions, most recently used first. */
  listLive(userId: number): Promise<Session[]> {
    return this.sessions.find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      order: { lastUsedAt: 'DESC', id: 'DESC' },
    });
  }

  /** Ends one of the user's live sessions; another user's, or an ended one, is a 404. */
  async end(userId: number, sessionId: number, reason: RevocationReason): Promise<void> {
    const ended = await revokeSessions(this.sessions.manager, { id: sessionId, userId, expiresAt: MoreThan(new Date()) }, reason);
    if (ended === 0) throw new NotFoundException('Session not found');
  }

  /** Ends every live session of the user, or every one but `keep`. */
  async endAll(userId: number, reason: RevocationReason, keep?: number): Promise<void> {
    await revokeSessions(this.sessions.manager, { userId, ...(keep !== undefined ? { id: Not(keep) } : {}) }, reason);
  }
}
