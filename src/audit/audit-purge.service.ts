import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { auditConfig, type AuditConfig } from '../config/audit.config.js';
import { purgeInBatches } from '../database/purge-in-batches.js';
import { AuditEvent } from './audit-event.entity.js';

/**
 * Deletes the events older than `AUDIT_RETENTION_DAYS`, a bounded batch at a time, by the time
 * index. Idempotent, so every instance may run it.
 */
@Injectable()
export class AuditPurgeService {
  private readonly logger = new Logger(AuditPurgeService.name);

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    @Inject(auditConfig.KEY) private readonly config: AuditConfig,
  ) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'purge-audit-events' })
  async purge(): Promise<number> {
    // A validated integer, not client text.
    const condition = `created_at < now() - make_interval(days => ${this.config.retentionDays})`;
    const purged = await purgeInBatches(this.events, condition);
    if (purged > 0) this.logger.log(`Purged ${purged} audit events older than ${this.config.retentionDays} days`);
    return purged;
  }
}
