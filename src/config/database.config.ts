import { registerAs, type ConfigType } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { durationMs, readArea, type Runtime, toBoolean } from './variables.js';

/** PostgreSQL at `DATABASE_URL`, or unset, the embedded database under `DATA_DIR`. */
export class DatabaseVariables {
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @Transform(toBoolean)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  /**
   * How long a migration's statement waits for a table lock before it gives up and is retried:
   * on a live database, a statement queued behind a long transaction would otherwise hold every
   * request to that table queued behind it.
   */
  @IsString()
  MIGRATIONS_LOCK_TIMEOUT = '5s';
}

export function toDatabaseConfig(v: DatabaseVariables, runtime: Runtime) {
  if (runtime.nodeEnv === 'production' && !v.DATABASE_URL) {
    throw new Error('DATABASE_URL is required when NODE_ENV=production: the embedded database is for development and tests only.');
  }
  const migrationsLockTimeoutMs = Math.round(durationMs('MIGRATIONS_LOCK_TIMEOUT', v.MIGRATIONS_LOCK_TIMEOUT));
  if (migrationsLockTimeoutMs < 1) throw new Error(`MIGRATIONS_LOCK_TIMEOUT must be at least 1ms, got "${v.MIGRATIONS_LOCK_TIMEOUT}"`);
  return { url: v.DATABASE_URL, dataDir: runtime.dataDir, migrationsRun: v.MIGRATIONS_RUN, migrationsLockTimeoutMs };
}

/** Read by the app's DatabaseModule and by the TypeORM CLI's data source alike. */
export const databaseConfig = registerAs('database', () => toDatabaseConfig(...readArea(DatabaseVariables)));
export type DatabaseConfig = ConfigType<typeof databaseConfig>;
