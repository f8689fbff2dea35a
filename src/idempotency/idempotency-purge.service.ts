import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { purgeInBatches } from '../database/purge-in-batches.js';
import { IdempotencyKey } from './idempotency-key.entity.js';

/** Deletes expired idempotency keys and their answers. Idempotent, so every instance may run it. */
@Injectable()
export class IdempotencyPurgeService {
  private readonly logger = new Logger(IdempotencyPurgeService.name);

  constructor(@InjectRepository(IdempotencyKey) private readonly keys: Repository<IdempotencyKey>) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'purge-idempotency-keys' })
  async purge(): Promise<number> {
    const purged = await purgeInBatches(this.keys, 'expires_at <= now()');
    if (purged > 0) this.logger.log(`Purged ${purged} expired idempotency keys`);
    return purged;
  }
}
