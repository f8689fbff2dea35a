import { Controller, Get, Headers, Inject, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators/public.decorator.js';
import { metricsConfig, type MetricsConfig } from '../config/metrics.config.js';
import { MetricsService } from './metrics.service.js';
import { MetricsToken } from './metrics-token.js';
import { coded } from '../common/problem-codes.js';

/** `/metrics` on the API port, only with `Authorization: Bearer $METRICS_TOKEN`; not part of the API document. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  private readonly token?: MetricsToken;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(metricsConfig.KEY) config: MetricsConfig,
  ) {
    this.token = config.token === undefined ? undefined : new MetricsToken(config.token);
  }

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    if (!this.token) throw new NotFoundException(coded('not_found', 'Metrics are not served on this port'));
    if (!this.token.accepts(authorization)) {
      // RFC 6750 §3: a refused token is `invalid_token`; none at all is only a request to authenticate.
      throw new UnauthorizedException(coded(authorization ? 'invalid_token' : 'authentication_required', 'Invalid metrics token'));
    }
    await reply.header('content-type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
