import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableParallelism } from 'node:os';
import { loadEnv } from './env.js';

describe('loadEnv', () => {
  it('fills in the defaults', () => {
    assert.deepEqual(loadEnv({}), {
      runtime: { nodeEnv: 'development', dataDir: './data' },
      app: {
        nodeEnv: 'development',
        port: 3000,
        host: '0.0.0.0',
        trustProxy: false,
        corsOrigins: [],
        swaggerEnabled: true,
        apiUrl: undefined,
        shutdownTimeoutMs: 10_000,
        httpTimeouts: { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 72_000 },
      },
      database: { url: undefined, dataDir: './data', migrationsRun: true, migrationsLockTimeoutMs: 5_000 },
      auth: {
        signing: { secret: undefined, privateKey: undefined, publicKey: undefined, rotatedPublicKeys: undefined, rsaAlgorithm: 'RS256' },
        issuer: 'nest-auth-todos',
        audience: 'nest-auth-todos-api',
        accessTokenTtlSeconds: 900,
        refreshTokenTtlSeconds: 14 * 86_400,
        refreshReuseGraceSeconds: 30,
        adminEmail: undefined,
        adminPassword: undefined,
      },
      passwords: {
        minChars: 8,
        hashConcurrency: Math.min(availableParallelism(), 4),
        hashCost: { memoryKib: 19_456, passes: 2 },
        threadPoolSize: 4,
      },
      rateLimit: {
        redisUrl: undefined,
        keyPrefix: 'auth-todos:',
        loginPerMinute: 30,
        loginFailures: 10,
        registerPerHour: 30,
        refreshPerMinute: 60,
        mailPerHour: 20,
        mailPerAccount: 5,
      },
      mail: { smtpUrl: undefined, from: 'Auth & Todos <no-reply@localhost>', publicUrl: 'http://localhost:3000', outboxDir: 'data/outbox' },
      account: { requireEmailVerification: false, todosPerUserMax: 10_000, sessionsPerUserMax: 50 },
      logging: { level: 'info', format: undefined },
      metrics: { token: undefined, port: undefined, host: '127.0.0.1' },
      audit: { retentionDays: 90 },
      mfa: { encryptionKey: undefined },
    });
  });

  it('says in one line what it expected and what it got', () => {
    assert.throws(
      () => loadEnv({ PORT: 'abc', LOG_LEVEL: 'loud' }),
      (error: Error) => {
        const lines = error.message.split('\n').slice(1);
        assert.equal(lines.length, 2, error.message);
        assert.equal(lines[0], '  - PORT must be an integer number, must not be less than 0, must not be greater than 65535 (got "abc")');
        assert.match(lines[1], /^ {2}- LOG_LEVEL .* \(got "loud"\)$/);
        return true;
      },
    );
  });

  it('refuses an unknown NODE_ENV', () => {
    assert.throws(() => loadEnv({ NODE_ENV: 'staging' }), /NODE_ENV/);
  });

  describe('booleans', () => {
    it('reads true and false', () => {
      const env = loadEnv({ MIGRATIONS_RUN: 'false', SWAGGER_ENABLED: 'false' });
      assert.equal(env.database.migrationsRun, false);
      assert.equal(env.app.swaggerEnabled, false);
    });

    it('reads 1/0, yes/no and on/off, in any case', () => {
      assert.equal(loadEnv({ SWAGGER_ENABLED: 'YES' }).app.swaggerEnabled, true);
      assert.equal(loadEnv({ SWAGGER_ENABLED: ' On ' }).app.swaggerEnabled, true);
      assert.equal(loadEnv({ MIGRATIONS_RUN: '0' }).database.migrationsRun, false);
      assert.equal(loadEnv({ MIGRATIONS_RUN: 'No' }).database.migrationsRun, false);
      assert.equal(loadEnv({ MIGRATIONS_RUN: 'off' }).database.migrationsRun, false);
    });

    it('refuses anything else', () => {
      assert.throws(() => loadEnv({ SWAGGER_ENABLED: 'maybe' }), /SWAGGER_ENABLED/);
    });
  });
});
