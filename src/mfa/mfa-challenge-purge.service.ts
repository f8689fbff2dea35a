import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { purgeInBatches } from '../database/purge-in-batches.js';
import { MfaChallenge } from './mfa-challenge.entity.js';

/** Deletes the second steps of logins once expired (spent ones too): idempotent, so every instance may run it. */
@Injectable()
export class MfaChallengePurgeService {
  private readonly logger = new Logger(MfaChallengePurgeService.name);

  constructor(@InjectRepository(MfaChallenge) private readonly challenges: Repository<MfaChallenge>) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'purge-mfa-challenges' })
  async purge(): Promise<number> {
    const purged = await purgeInBatches(this.challenges, 'expires_at <= now()');
    if (purged > 0) this.logger.log(`Purged ${purged} expired MFA challenges`);
    return purged;
  }
}
