import { ApiProperty } from '@nestjs/swagger';
import { INT_ID } from '../../common/parse-id.pipe.js';
import { BIGINT_ID } from '../../common/parse-id.pipe.js';
import type { AuditEvent } from '../audit-event.entity.js';
import { AUDIT_EVENT_TYPE_LIST, type AuditDetails, type AuditEventType } from '../audit-event-types.js';

export class AuditEventOut {
  @ApiProperty({ ...BIGINT_ID, example: 4711 })
  id!: number;

  @ApiProperty({
    enum: AUDIT_EVENT_TYPE_LIST,
    enumName: 'AuditEventType',
    example: 'login.succeeded',
    description: 'What happened; docs/audit.md describes each type and its `details`',
  })
  type!: AuditEventType;

  @ApiProperty({ ...INT_ID, nullable: true, example: 7, description: 'The account the event concerns (kept after it is deleted)' })
  user_id!: number | null;

  @ApiProperty({
    ...INT_ID,
    nullable: true,
    example: 7,
    description: 'The signed-in account that acted: the user, or an admin acting on them; null for requests not signed in',
  })
  actor_id!: number | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0 (X11; Linux x86_64) …' })
  user_agent!: string | null;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  created_at!: Date;

  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'boolean' }] },
    example: { session_id: 12 },
    description: 'Ids, counts and reasons the type adds (docs/audit.md); never a secret',
  })
  details!: AuditDetails;
}

export function toAuditEventOut(event: AuditEvent): AuditEventOut {
  return {
    id: event.id,
    type: event.type,
    user_id: event.userId,
    actor_id: event.actorId,
    ip: event.ip,
    user_agent: event.userAgent,
    created_at: event.createdAt,
    details: event.details,
  };
}

/** An event as the user it concerns sees it: an admin's address and browser stay with the admins. */
export function toOwnEventOut(event: AuditEvent): AuditEventOut {
  const out = toAuditEventOut(event);
  return event.actorId !== null && event.actorId !== event.userId ? { ...out, ip: null, user_agent: null } : out;
}
