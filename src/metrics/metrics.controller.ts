import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Inject, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators/public.decorator.js';
import { appConfig, type AppConfig } from '../config/configuration.js';
import { MetricsService } from './metrics.service.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `/metrics` on the API port, only with `Authorization: Bearer $METRICS_TOKEN`; not part of the API document. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  private readonly token?: Buffer;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(appConfig.KEY) config: AppConfig,
  ) {
    this.token = config.metrics.token === undefined ? undefined : digest(config.metrics.token);
  }

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    if (!this.token) throw new NotFoundException('Metrics are not served on this port');
    const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    // Compared as digests: equal lengths, so the comparison takes the same time for any guess.
    if (!presented || !timingSafeEqual(digest(presented), this.token)) throw new UnauthorizedException('Invalid metrics token');
    await reply.header('content-type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
