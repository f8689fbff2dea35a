import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity.js';

/** Why a session ended before it expired. */
export type RevocationReason =
  | 'logout'
  | 'logout_all'
  | 'ended_by_user'
  | 'ended_by_admin'
  | 'refresh_token_reuse'
  | 'password_changed'
  | 'password_reset'
  | 'account_deactivated'
  | 'role_changed'
  | 'session_limit'
  | 'mfa_enabled';

/** One login on one device: the family of refresh tokens rotated from that login. */
@Entity({ name: 'sessions' })
// Both serve the hourly purge.
@Index('IDX_sessions_expires', ['expiresAt'])
@Index('IDX_sessions_revoked', ['revokedAt'], { where: '"revoked_at" IS NOT NULL' })
// An account's live sessions, most recently used first: the session list and the login's bound
// read these few entries, however many ended sessions the account has left behind.
@Index('IDX_sessions_user_live', ['userId', 'lastUsedAt', 'id'], { where: '"revoked_at" IS NULL' })
export class Session {
  /** bigint, its identity capped at 2^53 − 1 (`MAXVALUE`, set by the migration): read as a number. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'PK_sessions' })
  id!: number;

  @Index('IDX_sessions_user')
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_sessions_user' })
  user?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The last login or refresh; access tokens are checked on every request but not recorded. */
  @Column({ name: 'last_used_at', type: 'timestamptz' })
  lastUsedAt!: Date;

  /** Absolute: rotation does not extend it (`REFRESH_TOKEN_TTL` after the login). */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason!: RevocationReason | null;
}
