import { registerAs, type ConfigType } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { readArea, type Runtime, toBoolean } from './variables.js';

/** PostgreSQL at `DATABASE_URL`, or unset, the embedded database under `DATA_DIR`. */
export class DatabaseVariables {
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @Transform(toBoolean)
  @IsBoolean()
  MIGRATIONS_RUN = true;
}

export function toDatabaseConfig(v: DatabaseVariables, runtime: Runtime) {
  if (runtime.nodeEnv === 'production' && !v.DATABASE_URL) {
    throw new Error('DATABASE_URL is required when NODE_ENV=production: the embedded database is for development and tests only.');
  }
  return { url: v.DATABASE_URL, dataDir: runtime.dataDir, migrationsRun: v.MIGRATIONS_RUN };
}

/** Read by the app's DatabaseModule and by the TypeORM CLI's data source alike. */
export const databaseConfig = registerAs('database', () => toDatabaseConfig(...readArea(DatabaseVariables)));
export type DatabaseConfig = ConfigType<typeof databaseConfig>;
