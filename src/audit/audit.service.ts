import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { ClientInfo } from '../common/client-ip.js';
import { type SecurityEvent, SecurityEventsService } from '../security-events/security-events.service.js';
import { AuditEvent } from './audit-event.entity.js';
import { AUDIT_EVENT_TYPES, type AuditDetails, type AuditEventType } from './audit-event-types.js';

/** Who an event concerns, who acted, from where, and what it adds. */
export interface AuditEntry {
  /** The account the event concerns, when there is one. */
  userId: number | null;
  /** The signed-in account that made the request: the user themself or an admin; none for a request not signed in. */
  actorId?: number | null;
  /** Where the request came from; none for the server's own work. */
  client?: ClientInfo | null;
  /** Ids, counts and reasons only: never a password, a token, a code or an email address. */
  details?: AuditDetails;
  /** The security event to log it as, when not its type's (`AUDIT_EVENT_TYPES`). */
  logAs?: SecurityEvent;
}

/**
 * Records audit events: one row each in `audit_events`, and the same event logged and counted as
 * a security event (`SecurityEventsService`), so a call site says once what happened. An event
 * that records a change is written with `record`, in the change's own transaction: both commit,
 * or neither. Attempts that change nothing but must be seen (failed and throttled sign-ins) use
 * `recordAttempt`: one insert on its own, in no transaction, which locks nothing but its new row,
 * so a login storm queues on no lock.
 */
@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly securityEvents: SecurityEventsService,
  ) {}

  /**
   * Writes the event with `em`, the transaction of the change it records, then logs it: a change
   * that still rolls back leaves its log line, as any failed request's lines stay.
   */
  async record(em: EntityManager, type: AuditEventType, entry: AuditEntry): Promise<void> {
    await em.insert(AuditEvent, {
      type,
      userId: entry.userId,
      actorId: entry.actorId ?? null,
      ip: entry.client?.ip ?? null,
      userAgent: entry.client?.userAgent ?? null,
      details: entry.details ?? {},
    });
    this.log(type, entry);
  }

  /** Writes the event of an attempt that changed nothing, as a statement of its own, and logs it. */
  recordAttempt(type: AuditEventType, entry: AuditEntry): Promise<void> {
    return this.record(this.events.manager, type, entry);
  }

  /**
   * Logs an event that a module's own hand-written statement wrote to `audit_events` with the
   * change (the login's session, `SessionsQueries.startSession`), after that statement succeeded.
   */
  written(type: AuditEventType, entry: AuditEntry): void {
    this.log(type, entry);
  }

  private log(type: AuditEventType, { userId, actorId, details, logAs }: AuditEntry): void {
    const fields = { type, userId: userId ?? undefined, actorId: actorId ?? undefined, ...details };
    this.securityEvents.record(logAs ?? AUDIT_EVENT_TYPES[type].logAs, fields);
  }
}
