import { registerAs, type ConfigType } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { readArea, toInt } from './variables.js';

/** How long the audit trail keeps an event. */
export class AuditVariables {
  /** Days; older events are purged every hour. At most a century. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(36_500)
  AUDIT_RETENTION_DAYS = 90;
}

export function toAuditConfig(v: AuditVariables) {
  return { retentionDays: v.AUDIT_RETENTION_DAYS };
}

export const auditConfig = registerAs('audit', () => toAuditConfig(readArea(AuditVariables)[0]));
export type AuditConfig = ConfigType<typeof auditConfig>;
