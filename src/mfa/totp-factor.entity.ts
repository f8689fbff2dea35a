import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity.js';

/**
 * A user's authenticator: pending from setup until a code confirms it, then in use until MFA is
 * turned off (the row goes). `users.mfa_enabled` mirrors "confirmed", written in the same
 * transaction, so a login reads it with the user and costs nothing more when MFA is off.
 */
@Entity({ name: 'totp_factors' })
export class TotpFactor {
  @PrimaryColumn({ name: 'user_id', type: 'integer', primaryKeyConstraintName: 'PK_totp_factors' })
  userId!: number;

  // Many-to-one in TypeORM's terms: the primary key already makes it one per user, without a second unique index.
  @ManyToOne(() => User, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_totp_factors_user' })
  user?: User;

  /** The base32 secret, sealed with AES-256-GCM (see secret-box.ts); never stored in the clear. */
  @Column({ name: 'secret_sealed', type: 'bytea' })
  secretSealed!: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Null while pending. */
  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;

  /**
   * The RFC 6238 time step of the last code accepted (a bigint, read as a string): a code is
   * accepted only for a later step, by a conditional update, so a replay or a parallel double use fails.
   */
  @Column({ name: 'last_used_step', type: 'bigint', nullable: true })
  lastUsedStep!: string | null;

  /** Wrong codes in a row, TOTP or recovery; only a success resets it (see `MFA_FAILURE_CAP`). */
  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  failedAttempts!: number;
}
