import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity.js';

export enum AccountTokenPurpose {
  PasswordReset = 'password_reset',
  EmailVerification = 'email_verification',
}

/**
 * A single-use token mailed to a user, known only by its SHA-256. One row per user and purpose:
 * a new token replaces the previous one, so an earlier link stops working.
 */
@Entity({ name: 'account_tokens' })
@Index('UQ_account_tokens_user_purpose', ['userId', 'purpose'], { unique: true })
export class AccountToken {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'PK_account_tokens' })
  id!: number;

  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_account_tokens_user' })
  user?: User;

  @Column({ type: 'enum', enum: AccountTokenPurpose, enumName: 'account_token_purpose' })
  purpose!: AccountTokenPurpose;

  @Index('UQ_account_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Serves the hourly purge too. */
  @Index('IDX_account_tokens_expires')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
