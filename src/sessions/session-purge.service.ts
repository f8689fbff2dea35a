import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { purgeInBatches } from '../database/purge-in-batches.js';
import { Session } from './session.entity.js';

/**
 * Deletes sessions (and, through the foreign key, their refresh tokens) once they are expired,
 * or a day after they were revoked. Idempotent, so every instance may run it.
 */
@Injectable()
export class SessionPurgeService {
  private readonly logger = new Logger(SessionPurgeService.name);

  constructor(@InjectRepository(Session) private readonly sessions: Repository<Session>) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'purge-sessions' })
  async purge(): Promise<number> {
    const purged = await purgeInBatches(this.sessions, "expires_at <= now() OR revoked_at <= now() - interval '1 day'");
    if (purged > 0) this.logger.log(`Purged ${purged} ended sessions`);
    return purged;
  }
}
