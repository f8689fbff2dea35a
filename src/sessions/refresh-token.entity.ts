import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Session } from './session.entity.js';

/** A refresh token, known only by its SHA-256; `used_at` is set when it is spent or superseded. */
@Entity({ name: 'refresh_tokens' })
export class RefreshToken {
  /** bigint: every refresh spends an id. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'PK_refresh_tokens' })
  id!: number;

  @Index('UQ_refresh_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash!: string;

  @Index('IDX_refresh_tokens_session')
  @Column({ name: 'session_id', type: 'bigint' })
  sessionId!: number;

  @ManyToOne(() => Session, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'FK_refresh_tokens_session' })
  session?: Session;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  /**
   * Set (with `used_at`) when a retry after a lost answer replaced this token before it was used:
   * its holder is not the client that retried, so presenting it is reuse.
   */
  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt!: Date | null;
}
