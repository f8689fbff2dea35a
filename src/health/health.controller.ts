import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/decorators/public.decorator.js';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { RateLimitStore } from '../rate-limit/rate-limit.store.js';

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
  @HealthCheck()
  @ApiOperation({ summary: 'The process is up', operationId: 'health_live' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'The database answers', operationId: 'health_ready' })
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
