import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { hydrate, selectList } from '../database/hydrate.js';
import { columnName } from '../database/mapped-json.js';
import { preparedQuery } from '../database/prepared.js';
import { User } from '../users/user.entity.js';
import { Session } from './session.entity.js';

/**
 * The sessions module's hand-written SQL, kept only where the benchmark measured a clear gain
 * (bench/README.md): the per-request load of a token's user and session. Fixed text built once
 * from the entities' metadata and run as a prepared statement; values are bound parameters.
 */
@Injectable()
export class SessionsQueries {
  private readonly userForSessionSql: string;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Session) sessions: Repository<Session>,
  ) {
    const user = (property: keyof User & string) => `u.${columnName(users, property)}`;
    const session = (property: keyof Session & string) => `s.${columnName(sessions, property)}`;
    this.userForSessionSql = `SELECT ${selectList(users, 'u')}, ${session('id')} IS NOT NULL AS session_live
        FROM "${users.metadata.tableName}" u
        LEFT JOIN "${sessions.metadata.tableName}" s ON ${session('id')} = $2 AND ${session('userId')} = ${user('id')}
         AND ${session('revokedAt')} IS NULL AND ${session('expiresAt')} > now()
       WHERE ${user('id')} = $1`;
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
}
