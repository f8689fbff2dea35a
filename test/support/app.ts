import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import supertest from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';

/**
 * argon2id at 1 MiB and one pass: at the default cost (19 MiB, two passes) hashing is half of the
 * suite's CPU time. Production refuses a cost this low; one e2e test runs at the default.
 */
export const CHEAP_PASSWORD_HASH = { PASSWORD_HASH_MEMORY_KIB: '1024', PASSWORD_HASH_PASSES: '1' };

export interface TestApp {
  app: NestFastifyApplication;
  http: supertest.Agent;
  jwtSecret: string;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole application over HTTP, on `DATABASE_URL` when it is set (CI's fresh PostgreSQL
 * database) and on the embedded default in a temporary directory otherwise. Migrations run at
 * start-up exactly as in production.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  // Removed on close, including a DATA_DIR the caller passes in.
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'auth-todos-test-'));
  const jwtSecret = randomBytes(48).toString('base64url');
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: dataDir,
    // The suites log in hundreds of times from one address; test/security sets real limits.
    RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
    RATE_LIMIT_LOGIN_FAILURES: '100000',
    RATE_LIMIT_REGISTER_PER_HOUR: '100000',
    RATE_LIMIT_REFRESH_PER_MINUTE: '100000',
    RATE_LIMIT_MAIL_PER_HOUR: '100000',
    RATE_LIMIT_MAIL_PER_ACCOUNT: '100000',
    ...CHEAP_PASSWORD_HASH,
    ...env,
  });
  // A key pair replaces the shared secret; the two never mix.
  if (env.JWT_PRIVATE_KEY && !env.JWT_SECRET) delete process.env.JWT_SECRET;
  else process.env.JWT_SECRET = env.JWT_SECRET ?? jwtSecret;
  let app: NestFastifyApplication;
  try {
    app = await createApp();
  } catch (error) {
    for (const key of Object.keys(env)) delete process.env[key];
    throw error;
  }
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const dataSource = app.get(DataSource);
  return {
    app,
    http: supertest.agent(app.getHttpServer()),
    jwtSecret,
    reset: async () => {
      await dataSource.query(
        'TRUNCATE TABLE account_tokens, refresh_tokens, sessions, todos, users, audit_events RESTART IDENTITY CASCADE',
      );
    },
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
      for (const key of Object.keys(env)) delete process.env[key];
    },
  };
}
