import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig, type DatabaseConfig } from '../config/database.config.js';
import { openDataSource, typeOrmOptions } from './typeorm-options.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (db: DatabaseConfig) => ({
        ...typeOrmOptions(db),
        autoLoadEntities: true,
        // A PostgreSQL server may still be starting (compose, rolling restarts); the embedded one
        // either opens at once or is locked by another process, where waiting does not help.
        retryAttempts: db.url ? 10 : 0,
        retryDelay: 3_000,
      }),
      dataSourceFactory: (options) => openDataSource(databaseConfig(), options),
    }),
  ],
})
export class DatabaseModule {}
