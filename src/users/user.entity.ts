import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Role } from './role.enum.js';

/**
 * The admin list walks the primary key; the rare filters (admins, deactivated accounts) have
 * partial indexes of their own, and the email's trigram index (GIN, built by the migration: TypeORM
 * cannot declare its operator class) serves the substring search.
 */
@Entity({ name: 'users' })
@Index('IDX_users_admins_id', ['id'], { where: `"role" = 'admin'` })
@Index('IDX_users_inactive_id', ['id'], { where: `"is_active" = false` })
export class User {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'PK_users' })
  id!: number;

  /** Stored trimmed and lower-cased, so the unique index is case-insensitive in effect. */
  @Index('UQ_users_email', { unique: true })
  @Index('IDX_users_email_trgm', { synchronize: false })
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ name: 'hashed_password', type: 'varchar', length: 255, select: false })
  hashedPassword!: string;

  @Column({ type: 'enum', enum: Role, enumName: 'user_role', default: Role.User })
  role!: Role;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified!: boolean;

  /** A confirmed second factor (the mfa module's `totp_factors` row): a login then asks for a code. */
  @Column({ name: 'mfa_enabled', type: 'boolean', default: false })
  mfaEnabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
