import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity.js';

/**
 * The answer to a request sent with an `Idempotency-Key`, written in the transaction that did its
 * work, so that a write and the record of its answer commit together. Only successful answers are
 * kept (a failed request rolls its record back), so the status is the route's own success status.
 * A user's key is theirs alone; a caller without an account (registration) owns a key only
 * together with the very body it sent, password included, which is why only its hash is kept.
 */
@Entity({ name: 'idempotency_keys' })
@Index('UQ_idempotency_keys_user_key', ['userId', 'key'], { unique: true, where: '"user_id" IS NOT NULL' })
@Index('UQ_idempotency_keys_anonymous_key', ['key', 'fingerprint'], { unique: true, where: '"user_id" IS NULL' })
export class IdempotencyKey {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'PK_idempotency_keys' })
  id!: number;

  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId!: number | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_idempotency_keys_user' })
  user?: User;

  @Column({ type: 'varchar', length: 255 })
  key!: string;

  /** SHA-256 of the method, the route and the canonical JSON of the body; without a user, an HMAC under a server key. */
  @Column({ type: 'char', length: 64 })
  fingerprint!: string;

  /** The JSON sent the first time, replayed as it is. */
  @Column({ name: 'response_body', type: 'text' })
  responseBody!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Index('IDX_idempotency_keys_expires')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
