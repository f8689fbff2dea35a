import { fileURLToPath } from 'node:url';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config.js';
import type { EmbeddedPostgres } from './embedded-postgres.js';
import { APP_PG_TYPES } from './int8-numbers.js';
import { runMigrations } from './run-migrations.js';
import { TypeOrmLogger } from './typeorm-logger.js';

const migrationsGlob = fileURLToPath(new URL('../../migrations/*.js', import.meta.url));

/**
 * Everything but the entities, which each feature module registers (`TypeOrmModule.forFeature`,
 * collected by `autoLoadEntities`) and the CLI finds by file name: this folder imports no feature.
 */
export function typeOrmOptions(db: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: db.url,
    migrations: [migrationsGlob],
    // Run by `openDataSource` under a lock, not by TypeORM at initialisation.
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Not 'error': TypeORM logs a failed query with its parameters (a password hash, an email),
    // which pino's redaction cannot see inside a message. The problem filter logs what is unexpected.
    logger: new TypeOrmLogger(['warn', 'migration']),
    // `types`: ids (`bigint`) read as numbers, in this one place.
    extra: { max: 10, connectionTimeoutMillis: 5_000, types: APP_PG_TYPES },
  };
}

/** A DataSource on the embedded database that closes PGlite (and its lock) after TypeORM. */
class EmbeddedDataSource extends DataSource {
  constructor(
    options: DataSourceOptions,
    private readonly embedded: EmbeddedPostgres,
  ) {
    super(options);
  }

  override async destroy(): Promise<void> {
    try {
      if (this.isInitialized) await super.destroy();
    } finally {
      await this.embedded.close();
    }
  }
}

/** One DataSource for the app and the TypeORM CLI: PostgreSQL when `DATABASE_URL` is set, else embedded. */
export async function createDataSource(db: DatabaseConfig, options = typeOrmOptions(db)): Promise<DataSource> {
  if (db.url) return new DataSource(options);
  // Loaded only here: PGlite and its lock cost start-up time and memory a PostgreSQL deployment never uses.
  const { EmbeddedPostgres } = await import('./embedded-postgres.js');
  const embedded = await EmbeddedPostgres.open(db.dataDir);
  const extra = { ...(options.extra as object), ...embedded.pgOptions() };
  return new EmbeddedDataSource({ ...options, url: undefined, extra } as DataSourceOptions, embedded);
}

/** The app's DataSource: initialised, with pending migrations run when `MIGRATIONS_RUN` is on. */
export async function openDataSource(db: DatabaseConfig, options = typeOrmOptions(db)): Promise<DataSource> {
  const dataSource = await (await createDataSource(db, options)).initialize();
  try {
    if (db.migrationsRun) await runMigrations(dataSource, !db.url, { lockTimeoutMs: db.migrationsLockTimeoutMs });
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}
