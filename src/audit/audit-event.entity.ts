import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AuditDetails, AuditEventType } from './audit-event-types.js';

/**
 * One security-relevant event of an account. No foreign keys: an event outlives the account it
 * concerns (its `user_id` stays, nothing else of the account does), and writing one never locks a
 * user row. Every list reads newest first, `(created_at, id)` descending, from the index of its
 * filter; the time index also serves the retention purge.
 */
@Entity({ name: 'audit_events' })
@Index('IDX_audit_events_created_id', ['createdAt', 'id'])
@Index('IDX_audit_events_user_created_id', ['userId', 'createdAt', 'id'])
@Index('IDX_audit_events_type_created_id', ['type', 'createdAt', 'id'])
export class AuditEvent {
  /** bigint: every sign-in writes one, failures included; capped at 2^53 − 1 (`MAXVALUE`), read as a number (`database/int8-numbers.ts`). */
  @PrimaryColumn({
    type: 'bigint',
    generated: 'identity',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: 'PK_audit_events',
  })
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  type!: AuditEventType;

  /** The account the event concerns; its owner sees the event among their security events. */
  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId!: number | null;

  /** The signed-in account that acted: the user themself, or an admin. None for a request not signed in. */
  @Column({ name: 'actor_id', type: 'integer', nullable: true })
  actorId!: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  /** Milliseconds, as a JSON timestamp and a cursor write it, so a cursor's position is exact. */
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Column({ type: 'jsonb' })
  details!: AuditDetails;
}
