import { ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from '../common/problem.dto.js';

@ApiSchema({ name: 'HealthCheck', description: 'One dependency that is up' })
export class HealthCheckDto {
  @ApiProperty({ enum: ['up'] })
  status!: 'up';

  @ApiPropertyOptional({ description: 'Where the rate-limit counters live (`rateLimitStore` only)', example: 'redis' })
  store?: string;
}

const byName = { type: 'object', additionalProperties: { $ref: getSchemaPath(HealthCheckDto) } } as const;

@ApiSchema({ name: 'Health', description: 'Every check up (a failed one answers 503 instead)' })
export class HealthDto {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';

  @ApiProperty({ ...byName, description: 'The checks that are up, by name' })
  info!: Record<string, HealthCheckDto>;

  @ApiProperty({ type: 'object', description: 'Always empty here: a failed check answers 503', additionalProperties: false })
  error!: Record<string, never>;

  @ApiProperty({ ...byName, description: 'Every check, by name' })
  details!: Record<string, HealthCheckDto>;
}

@ApiSchema({ name: 'ReadinessCheck' })
class ReadinessCheckDto {
  @ApiProperty({ enum: ['up', 'down'] })
  status!: 'up' | 'down';
}

@ApiSchema({ name: 'ReadinessProblem', description: 'A failed readiness check: a problem with each dependency up or down' })
export class ReadinessProblemDto extends ProblemDto {
  @ApiProperty({
    description: 'Each dependency up or down, by name (the reason is in the logs)',
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(ReadinessCheckDto) },
    example: { database: { status: 'up' }, migrations: { status: 'down' } },
  })
  checks!: Record<string, ReadinessCheckDto>;
}

/** Models only referenced by `$ref` above, for `ApiExtraModels`. */
export const HEALTH_MODELS = [HealthCheckDto, ReadinessCheckDto, ReadinessProblemDto];
