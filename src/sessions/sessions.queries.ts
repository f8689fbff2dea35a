import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { hydrate, selectList } from '../database/hydrate.js';
import { columnName } from '../database/mapped-json.js';
import { preparedQuery } from '../database/prepared.js';
import { AuditEvent } from '../audit/audit-event.entity.js';
import type { AuditEventType } from '../audit/audit-event-types.js';
import { User } from '../users/user.entity.js';
import { Session } from './session.entity.js';

/** What the login's statement found: the user as verified, and the new session when it was started. */
export interface StartedSession {
  current: boolean;
  isActive: boolean;
  sessionId: number | null;
}

/** A live session of an active user, found by one of its refresh tokens and locked for the rotation. */
export interface LockedSession {
  id: number;
  userId: number;
  userAgent: string | null;
}

/** The live session of an unspent refresh token, and the whole seconds it has left. */
export interface LiveTokenSession {
  sessionId: number;
  userId: number;
  secondsLeft: number;
}

/** What the reuse judgement needs to know of a refresh token that was already spent. */
export interface SpentTokenFacts {
  sessionId: number;
  userId: number;
  ageSeconds: number;
  latestSpent: boolean;
  superseded: boolean;
}

/**
 * The sessions module's hand-written SQL: the per-request load of a token's user and session,
 * which the benchmark measured clearly faster this way (bench/README.md), and the statements of
 * a login and a rotation whose locks and conditions the query builder cannot say (a CTE that
 * reads under a share lock and inserts only if the read still holds; a row lock taken through a
 * subquery; a judgement over a token's successors). Fixed text, values bound as parameters;
 * `test/e2e/queries.e2e-spec.ts` runs each against the migrated schema and reads its writes back
 * through the entities.
 */
@Injectable()
export class SessionsQueries {
  private readonly userForSessionSql: string;
  private readonly startSessionSql: string;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Session) sessions: Repository<Session>,
    @InjectRepository(AuditEvent) auditEvents: Repository<AuditEvent>,
  ) {
    const user = (property: keyof User & string) => `u.${columnName(users, property)}`;
    const session = (property: keyof Session & string) => `s.${columnName(sessions, property)}`;
    this.userForSessionSql = `SELECT ${selectList(users, 'u')}, ${session('id')} IS NOT NULL AS session_live
        FROM "${users.metadata.tableName}" u
        LEFT JOIN "${sessions.metadata.tableName}" s ON ${session('id')} = $2 AND ${session('userId')} = ${user('id')}
         AND ${session('revokedAt')} IS NULL AND ${session('expiresAt')} > now()
       WHERE ${user('id')} = $1`;
    const audit = (property: keyof AuditEvent & string) => columnName(auditEvents, property);
    const loginSucceeded: AuditEventType = 'login.succeeded';
    this.startSessionSql = `WITH u AS (
        SELECT id, hashed_password = $2 AS current, is_active FROM users WHERE id = $1 FOR SHARE
      ), s AS (
        INSERT INTO sessions (user_id, last_used_at, expires_at, user_agent, ip)
        SELECT id, now(), now() + make_interval(secs => $3), $4::varchar, $5::varchar FROM u WHERE current AND is_active
        RETURNING id
      ), r AS (
        INSERT INTO refresh_tokens (session_id, token_hash) SELECT id, $6 FROM s
      ), audited AS (
        INSERT INTO "${auditEvents.metadata.tableName}" (${audit('type')}, ${audit('userId')}, ${audit('userAgent')}, ${audit('ip')}, ${audit('details')})
        SELECT '${loginSucceeded}', $1, $4::varchar, $5::varchar, jsonb_build_object('session_id', id, 'mfa', $8::boolean) FROM s
      ), evicted AS (
        UPDATE sessions SET revoked_at = now(), revoked_reason = 'session_limit'
         WHERE id IN (SELECT id FROM sessions
                       WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND EXISTS (SELECT 1 FROM s)
                       ORDER BY last_used_at DESC, id DESC OFFSET $7 - 1)
      )
      SELECT u.current, u.is_active, s.id AS session_id FROM u LEFT JOIN s ON true`;
  }

  /**
   * The user of an access token and whether its session is live, in one indexed query: the user
   * row the JWT strategy loads anyway, with the session joined to it. Every authenticated request
   * runs it.
   */
  async findUserForSession(userId: number, sessionId: number): Promise<{ user: User | null; sessionLive: boolean }> {
    const [row] = await preparedQuery(this.users.manager, this.userForSessionSql, [userId, sessionId]);
    if (!row) return { user: null, sessionLive: false };
    return { user: hydrate(this.users, row), sessionLive: row.session_live === true };
  }

  /**
   * A login's session and first refresh token, in one statement (one round trip, its own
   * transaction). The user row is read again under a share lock, so a password change,
   * deactivation or deletion that committed after the password was verified is seen, and one
   * still running is waited for. The session and token are inserted only if the hash is still the
   * one verified and the account active. The live sessions beyond `sessionsMax`, the new one
   * counted, end in the same statement, least recently used first, and the sign-in's
   * `login.succeeded` audit event is written with the session: a login stays one round trip and
   * one commit.
   */
  async startSession(params: {
    userId: number;
    verifiedHash: string;
    ttlSeconds: number;
    userAgent: string | null;
    ip: string | null;
    tokenHash: string;
    sessionsMax: number;
    /** Whether a second factor completed the sign-in, as the audit event says. */
    mfa: boolean;
  }): Promise<StartedSession | undefined> {
    const [row] = await preparedQuery<{ current: boolean; is_active: boolean; session_id: number | null }>(
      this.users.manager,
      this.startSessionSql,
      [
        params.userId,
        params.verifiedHash,
        params.ttlSeconds,
        params.userAgent,
        params.ip,
        params.tokenHash,
        params.sessionsMax,
        params.mfa,
      ],
    );
    return row && { current: row.current, isActive: row.is_active, sessionId: row.session_id };
  }

  /**
   * The live session of an active user that `tokenHash` belongs to, spent or not, locked in
   * `em`'s transaction: concurrent presentations of its tokens queue here. The session row is
   * locked first, the order in which a user's deletion cascades.
   */
  async lockSessionOfToken(em: EntityManager, tokenHash: string): Promise<LockedSession | undefined> {
    const [session] = await em.query<LockedSession[]>(
      `SELECT s.id, s.user_id AS "userId", s.user_agent AS "userAgent"
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $1)
          AND s.revoked_at IS NULL AND s.expires_at > now() AND u.is_active
          FOR NO KEY UPDATE OF s`,
      [tokenHash],
    );
    return session;
  }

  /**
   * How long ago a spent token was spent, whether it was superseded, and whether it is the latest
   * spent of its session: no token issued after it (a higher id, issued under the session's lock)
   * has been spent. Not compared by `used_at`, which is `now()`, the start of each transaction: one
   * that began before another yet waited for the lock behind it stamps an earlier time.
   */
  async spentTokenFacts(em: EntityManager, tokenHash: string): Promise<SpentTokenFacts | undefined> {
    const [facts] = await em.query<SpentTokenFacts[]>(
      `SELECT t.session_id AS "sessionId", s.user_id AS "userId",
              EXTRACT(EPOCH FROM (clock_timestamp() - t.used_at))::float8 AS "ageSeconds",
              t.superseded_at IS NOT NULL AS superseded,
              NOT EXISTS (SELECT 1 FROM refresh_tokens n WHERE n.session_id = t.session_id AND n.id > t.id AND n.used_at IS NOT NULL) AS "latestSpent"
         FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
        WHERE t.token_hash = $1`,
      [tokenHash],
    );
    return facts;
  }

  /**
   * The live session whose unspent refresh token has this hash, with the seconds until it ends
   * (the refresh cookie's lifetime, and the session a logout by cookie ends). A spent token finds
   * nothing: only the newest token of a session stands for it.
   */
  async liveTokenSession(tokenHash: string): Promise<LiveTokenSession | undefined> {
    const [row] = await this.users.manager.query<LiveTokenSession[]>(
      `SELECT s.id AS "sessionId", s.user_id AS "userId",
              GREATEST(0, floor(EXTRACT(EPOCH FROM (s.expires_at - now()))))::int AS "secondsLeft"
         FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
        WHERE t.token_hash = $1 AND t.used_at IS NULL AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [tokenHash],
    );
    return row;
  }
}
