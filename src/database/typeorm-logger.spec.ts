import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Logger, type LoggerService } from '@nestjs/common';
import { TypeOrmLogger } from './typeorm-logger.js';

describe('TypeOrmLogger', () => {
  const written: [level: string, message: unknown, context: unknown][] = [];
  const capture =
    (level: string) =>
    (message: unknown, ...params: unknown[]) =>
      void written.push([level, message, params.at(-1)]);
  const nest: LoggerService = { log: capture('log'), warn: capture('warn'), error: capture('error') };

  it("writes TypeORM's enabled lines through Nest's logger, and never a failed query's parameters", () => {
    Logger.overrideLogger(nest);
    const logger = new TypeOrmLogger(['warn', 'migration']);
    logger.logMigration('Migration "Init1" failed, error: relation "users" already exists');
    logger.log('warn', 'a warning');
    logger.logQueryError('duplicate key', 'INSERT INTO users (email, hashed_password) VALUES ($1, $2)', [
      'a@example.com',
      '$argon2id$secret',
    ]);
    logger.logQuery('SELECT 1');
    assert.deepEqual(written, [
      ['error', 'Migration "Init1" failed, error: relation "users" already exists', 'TypeORM'],
      ['warn', 'a warning', 'TypeORM'],
    ]);
  });
});
