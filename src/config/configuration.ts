import { join } from 'node:path';
import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.js';
import { loadSigningKeys } from './signing-keys.js';

export const appConfig = registerAs('app', () => {
  const env = loadEnv();
  return {
    nodeEnv: env.nodeEnv,
    port: env.port,
    host: env.host,
    trustProxy: env.trustProxy,
    corsOrigins: env.corsOrigins,
    swaggerEnabled: env.swaggerEnabled,
    shutdownTimeoutMs: env.shutdownTimeoutMs,
    httpTimeouts: env.httpTimeouts,
    metrics: env.metrics,
    passwordHashConcurrency: env.passwordHashConcurrency,
    passwordHashCost: env.passwordHashCost,
    threadPoolSize: env.threadPoolSize,
  };
});

export const databaseConfig = registerAs('database', () => {
  const env = loadEnv();
  return { url: env.databaseUrl, dataDir: env.dataDir, migrationsRun: env.migrationsRun };
});

export const authConfig = registerAs('auth', () => {
  const env = loadEnv();
  return {
    keys: loadSigningKeys(env),
    issuer: env.jwtIssuer,
    audience: env.jwtAudience,
    accessTokenTtlSeconds: env.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: env.refreshTokenTtlSeconds,
    refreshReuseGraceSeconds: env.refreshReuseGraceSeconds,
    adminEmail: env.adminEmail,
    adminPassword: env.adminPassword,
  };
});

export const rateLimitConfig = registerAs('rateLimit', () => {
  const env = loadEnv();
  return { redisUrl: env.redisUrl, keyPrefix: env.redisKeyPrefix, ...env.rateLimits };
});

/** Account policy: whether an unverified email address may log in; the shortest password accepted. */
export const accountConfig = registerAs('account', () => {
  const env = loadEnv();
  return { requireEmailVerification: env.requireEmailVerification, passwordMinChars: env.passwordMinLength };
});

export const mailConfig = registerAs('mail', () => {
  const env = loadEnv();
  return { smtpUrl: env.smtpUrl, from: env.mailFrom, publicUrl: env.publicUrl, outboxDir: join(env.dataDir, 'outbox') };
});

export type AppConfig = ReturnType<typeof appConfig>;
export type DatabaseConfig = ReturnType<typeof databaseConfig>;
export type AuthConfig = ReturnType<typeof authConfig>;
export type RateLimitConfig = ReturnType<typeof rateLimitConfig>;
export type MailConfig = ReturnType<typeof mailConfig>;
export type AccountConfig = ReturnType<typeof accountConfig>;
