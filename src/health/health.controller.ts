import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/decorators/public.decorator.js';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { RateLimitStore } from '../rate-limit/rate-limit.store.js';

/** Terminus's result when every check is up; a failed check is a 503 problem. */
const HEALTHY = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    info: { type: 'object', additionalProperties: { type: 'object', properties: { status: { type: 'string', enum: ['up'] } } } },
    error: { type: 'object' },
    details: { type: 'object', additionalProperties: { type: 'object', properties: { status: { type: 'string', enum: ['up'] } } } },
  },
  example: {
    status: 'ok',
    info: { database: { status: 'up' }, rateLimitStore: { status: 'up' } },
    error: {},
    details: { database: { status: 'up' }, rateLimitStore: { status: 'up' } },
  },
};
// Terminus documents its failure body; here failures are problem+json, so its documentation is off.
const HealthCheckEndpoint = () => HealthCheck({ noCache: true, swaggerDocumentation: false });

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly rateLimits: RateLimitStore,
  ) {}

  @Get('live')
  @HealthCheckEndpoint()
  @ApiOperation({ summary: 'The process is up', operationId: 'health_live' })
  @ApiOkResponse({ description: 'Up', schema: { ...HEALTHY, example: { status: 'ok', info: {}, error: {}, details: {} } } })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheckEndpoint()
  @ApiOperation({ summary: 'The database (and Redis, when configured) answers', operationId: 'health_ready' })
  @ApiOkResponse({ description: 'Ready to serve', schema: HEALTHY })
  @ApiProblems(503)
  ready() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 2_000 }), () => this.counters()]);
  }

  /** The rate-limit store: Redis when configured, where logins fail (503) while it is away. */
  private async counters() {
    const indicator = this.indicators.check('rateLimitStore');
    try {
      await this.rateLimits.counters.ping();
      return indicator.up();
    } catch {
      return indicator.down();
    }
  }
}
