import { Controller, Get, HttpException } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DataSource, MigrationExecutor } from 'typeorm';
import { Public } from '../auth/decorators/public.decorator.js';
import { problemResponse } from '../common/api-problems.decorator.js';
import { FallbackCounterStore } from '../rate-limit/counter-store.js';
import { RateLimitStore } from '../rate-limit/rate-limit.store.js';
import { HEALTH_MODELS, HealthDto, ReadinessProblemDto } from './health.dto.js';
import { ReadinessLog } from './readiness-log.js';

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

// Terminus documents its failure body; here failures are problem+json, so its documentation is off.
const HealthCheckEndpoint = () => HealthCheck({ noCache: true, swaggerDocumentation: false });

@ApiTags('health')
@ApiExtraModels(...HEALTH_MODELS)
@Public()
@Controller('health')
export class HealthController {
  private schemaCurrent = false;
  private readonly log = new ReadinessLog();

  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly rateLimits: RateLimitStore,
  ) {}

  @Get('live')
  @HealthCheckEndpoint()
  @ApiOperation({
    summary: 'The process is up',
    description: 'Up while the process runs: for a liveness probe. Checks no dependency.',
    operationId: 'health_live',
  })
  @ApiOkResponse({ description: 'Up', type: HealthDto, example: { status: 'ok', info: {}, error: {}, details: {} } })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheckEndpoint()
  @ApiOperation({
    summary: 'The database answers and its schema is current',
    description:
      "Ready when the database answers and its schema is current: for a load balancer's readiness probe. 503, with each check up or down, otherwise.",
    operationId: 'health_ready',
  })
  @ApiOkResponse({
    description: 'Ready to serve',
    type: HealthDto,
    example: {
      status: 'ok',
      info: { database: { status: 'up' }, migrations: { status: 'up' }, rateLimitStore: { status: 'up', store: 'redis' } },
      error: {},
      details: { database: { status: 'up' }, migrations: { status: 'up' }, rateLimitStore: { status: 'up', store: 'redis' } },
    },
  })
  @ApiResponse({
    status: 503,
    ...problemResponse(503, 'Not ready: migrations', ReadinessProblemDto, {
      code: 'not_ready',
      checks: { database: { status: 'up' }, migrations: { status: 'down' }, rateLimitStore: { status: 'up' } },
    }),
  })
  async ready() {
    try {
      const result = await this.health.check([
        () => this.db.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }),
        () => this.migrations(),
        () => this.counters(),
      ]);
      this.log.record(result.details);
      return result;
    } catch (error) {
      if (error instanceof HttpException) this.log.record((error.getResponse() as HealthCheckResult).details ?? {});
      throw error;
    }
  }

  /**
   * Not ready while migrations this build carries are not applied: its queries would fail. Read
   * only (no migrations table is created), and asked until the answer is "none": applied
   * migrations do not become pending again.
   */
  private async migrations() {
    const indicator = this.indicators.check('migrations');
    if (this.schemaCurrent) return indicator.up();
    try {
      const pending = await withTimeout(new MigrationExecutor(this.dataSource).getPendingMigrations());
      this.schemaCurrent = pending.length === 0;
      return this.schemaCurrent ? indicator.up() : indicator.down({ pending: true });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }

  /**
   * Where the rate-limit counters live. Never a reason to take the instance out of rotation:
   * while Redis is away they fall back to this process.
   */
  private async counters() {
    const indicator = this.indicators.check('rateLimitStore');
    const store = this.rateLimits.counters;
    if (!(store instanceof FallbackCounterStore)) return indicator.up({ store: 'in-process' });
    return indicator.up({ store: store.usingFallback ? 'in-process (Redis unreachable)' : 'redis' });
  }
}
