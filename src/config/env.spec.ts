import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableParallelism } from 'node:os';
import { loadEnv, loadLogSettings } from './env.js';

function captureError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected an error');
}

describe('loadEnv', () => {
  it('fills in the defaults', () => {
    assert.deepEqual(loadEnv({}), {
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: './data',
      migrationsRun: true,
      jwtSecret: undefined,
      jwtPrivateKey: undefined,
      jwtPublicKey: undefined,
      jwtRotatedPublicKeys: undefined,
      jwtRsaAlgorithm: 'RS256',
      jwtIssuer: 'nest-auth-todos',
      jwtAudience: 'nest-auth-todos-api',
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 14 * 86_400,
      refreshReuseGraceSeconds: 30,
      adminEmail: undefined,
      adminPassword: undefined,
      passwordMinLength: 8,
      passwordHashConcurrency: Math.min(availableParallelism(), 4),
      passwordHashCost: { memoryKib: 19_456, passes: 2 },
      threadPoolSize: 4,
      trustProxy: false,
      redisUrl: undefined,
      redisKeyPrefix: 'auth-todos:',
      rateLimits: { loginPerMinute: 30, loginFailures: 10, registerPerHour: 30, refreshPerMinute: 60, mailPerHour: 20, mailPerAccount: 5 },
      smtpUrl: undefined,
      mailFrom: 'Auth & Todos <no-reply@localhost>',
      publicUrl: 'http://localhost:3000',
      requireEmailVerification: false,
      corsOrigins: [],
      logLevel: 'info',
      logFormat: undefined,
      swaggerEnabled: true,
      shutdownTimeoutMs: 10_000,
      httpTimeouts: { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 72_000 },
      metrics: { token: undefined, port: undefined, host: '127.0.0.1' },
    });
  });

  describe('PORT', () => {
    it('parses a number', () => {
      assert.equal(loadEnv({ PORT: '8080' }).port, 8080);
    });

    for (const port of ['abc', '80a', '-1', '65536', '1.5']) {
      it(`refuses ${JSON.stringify(port)}`, () => {
        assert.throws(() => loadEnv({ PORT: port }), /PORT/);
      });
    }

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
  });

  describe('PASSWORD_MIN_LENGTH', () => {
    it('takes 8 to 64', () => {
      assert.equal(loadEnv({ PASSWORD_MIN_LENGTH: '8' }).passwordMinLength, 8);
      assert.equal(loadEnv({ PASSWORD_MIN_LENGTH: '15' }).passwordMinLength, 15);
      assert.equal(loadEnv({ PASSWORD_MIN_LENGTH: '64' }).passwordMinLength, 64);
    });

    for (const value of ['7', '65', '0', 'twelve']) {
      it(`refuses ${JSON.stringify(value)}`, () => {
        assert.throws(() => loadEnv({ PASSWORD_MIN_LENGTH: value }), /PASSWORD_MIN_LENGTH/);
      });
    }
  });

  describe('SHUTDOWN_TIMEOUT and METRICS_TOKEN', () => {
    it('reads a duration of a second or more', () => {
      assert.equal(loadEnv({ SHUTDOWN_TIMEOUT: '30s' }).shutdownTimeoutMs, 30_000);
      assert.equal(loadEnv({ SHUTDOWN_TIMEOUT: '1s' }).shutdownTimeoutMs, 1_000);
    });

    for (const value of ['0', '500ms', 'soon', '-5s']) {
      it(`refuses SHUTDOWN_TIMEOUT=${value}`, () => {
        assert.throws(() => loadEnv({ SHUTDOWN_TIMEOUT: value }), /SHUTDOWN_TIMEOUT/);
      });
    }

    it('refuses a metrics token under 32 characters', () => {
      assert.throws(() => loadEnv({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN must be at least 32 characters/);
      assert.equal(loadEnv({ METRICS_TOKEN: 'm'.repeat(32) }).metrics.token, 'm'.repeat(32));
    });

    it('never repeats the token it refuses', () => {
      const token = 'tok-7Hq2x9';
      const error = captureError(() => loadEnv({ METRICS_TOKEN: token }));
      assert.match(error.message, /METRICS_TOKEN must be at least 32 characters/);
      assert.doesNotMatch(error.message, new RegExp(token));
    });
  });

  describe('METRICS_HOST', () => {
    const token = 'm'.repeat(32);

    for (const host of ['0.0.0.0', '10.0.4.2', '::', 'metrics.internal']) {
      it(`refuses a listener on ${host} without METRICS_TOKEN`, () => {
        assert.throws(
          () => loadEnv({ METRICS_PORT: '9464', METRICS_HOST: host }),
          /METRICS_HOST=.* is reachable from other machines: set METRICS_TOKEN/,
        );
        assert.equal(loadEnv({ METRICS_PORT: '9464', METRICS_HOST: host, METRICS_TOKEN: token }).metrics.host, host);
      });
    }

    for (const host of ['127.0.0.1', '127.8.0.3', '::1', 'localhost']) {
      it(`takes a listener on ${host} without a token`, () => {
        assert.equal(loadEnv({ METRICS_PORT: '9464', METRICS_HOST: host }).metrics.host, host);
      });
    }
  });

  describe('HTTP timeouts', () => {
    it('reads durations', () => {
      assert.deepEqual(loadEnv({ HTTP_HEADERS_TIMEOUT: '500ms', HTTP_REQUEST_TIMEOUT: '1m', HTTP_KEEP_ALIVE_TIMEOUT: '2m' }).httpTimeouts, {
        headersMs: 500,
        requestMs: 60_000,
        keepAliveMs: 120_000,
      });
    });

    for (const name of ['HTTP_HEADERS_TIMEOUT', 'HTTP_REQUEST_TIMEOUT', 'HTTP_KEEP_ALIVE_TIMEOUT']) {
      for (const value of ['0', '0ms', 'never', '-5s']) {
        it(`refuses ${name}=${value}`, () => {
          assert.throws(() => loadEnv({ [name]: value }), new RegExp(name));
        });
      }
    }

    it('refuses a headers timeout longer than the request timeout', () => {
      assert.throws(() => loadEnv({ HTTP_HEADERS_TIMEOUT: '40s' }), /HTTP_HEADERS_TIMEOUT \("40s"\) cannot exceed HTTP_REQUEST_TIMEOUT/);
    });
  });

  describe('ACCESS_TOKEN_TTL', () => {
    for (const [ttl, seconds] of [
      ['15m', 900],
      ['30m', 1800],
      ['1h', 3600],
      ['3600s', 3600],
    ] as const) {
      it(`reads ${ttl} as ${seconds} seconds`, () => {
        assert.equal(loadEnv({ ACCESS_TOKEN_TTL: ttl }).accessTokenTtlSeconds, seconds);
      });
    }

    for (const ttl of ['5m', '14m', '61m', '2h', '900']) {
      it(`refuses ${ttl} in production as outside 15m..1h`, () => {
        assert.throws(
          () => loadEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/app', ACCESS_TOKEN_TTL: ttl }),
          /ACCESS_TOKEN_TTL must be between 15m and 1h/,
        );
      });
    }

    it('allows down to 30 seconds outside production, to try the refresh flow by hand', () => {
      assert.equal(loadEnv({ ACCESS_TOKEN_TTL: '1m' }).accessTokenTtlSeconds, 60);
      assert.equal(loadEnv({ NODE_ENV: 'test', ACCESS_TOKEN_TTL: '30s' }).accessTokenTtlSeconds, 30);
      for (const ttl of ['10s', '29s', '61m']) {
        assert.throws(() => loadEnv({ ACCESS_TOKEN_TTL: ttl }), /ACCESS_TOKEN_TTL must be between 30s and 1h/, ttl);
      }
    });

    it('refuses something that is not a duration', () => {
      assert.throws(() => loadEnv({ ACCESS_TOKEN_TTL: 'soon' }), /ACCESS_TOKEN_TTL must be a duration/);
    });
  });

  describe('production', () => {
    it('requires DATABASE_URL', () => {
      assert.throws(() => loadEnv({ NODE_ENV: 'production' }), /DATABASE_URL is required/);
      assert.throws(() => loadEnv({ NODE_ENV: 'production', DATABASE_URL: '  ' }), /DATABASE_URL is required/);
    });

    it('accepts a DATABASE_URL', () => {
      const env = loadEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgres://app@db/app' });
      assert.equal(env.nodeEnv, 'production');
      assert.equal(env.databaseUrl, 'postgres://app@db/app');
    });

    it('takes a password hash cost only when it reaches one of OWASP’s argon2id configurations', () => {
      const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://app@db/app' };
      for (const [memory, passes] of [
        ['47104', '1'],
        ['12288', '3'],
        ['7168', '5'],
        ['65536', '3'],
      ]) {
        const env = loadEnv({ ...production, PASSWORD_HASH_MEMORY_KIB: memory, PASSWORD_HASH_PASSES: passes });
        assert.deepEqual(env.passwordHashCost, { memoryKib: Number(memory), passes: Number(passes) });
      }
      for (const [memory, passes] of [
        ['1024', '1'],
        ['19455', '2'],
        ['19456', '1'],
        ['7168', '4'],
        ['65536', '0'],
      ]) {
        assert.throws(
          () => loadEnv({ ...production, PASSWORD_HASH_MEMORY_KIB: memory, PASSWORD_HASH_PASSES: passes }),
          /PASSWORD_HASH_(MEMORY_KIB|PASSES)/,
          `${memory} KiB, ${passes} passes`,
        );
      }
    });

    it('allows a cheaper hash outside production, as the test suite uses', () => {
      assert.deepEqual(loadEnv({ NODE_ENV: 'test', PASSWORD_HASH_MEMORY_KIB: '1024', PASSWORD_HASH_PASSES: '1' }).passwordHashCost, {
        memoryKib: 1024,
        passes: 1,
      });
    });
  });

  it('refuses an unknown NODE_ENV', () => {
    assert.throws(() => loadEnv({ NODE_ENV: 'staging' }), /NODE_ENV/);
  });

  describe('admin bootstrap', () => {
    it('refuses ADMIN_EMAIL without ADMIN_PASSWORD and the reverse', () => {
      assert.throws(() => loadEnv({ ADMIN_EMAIL: 'root@example.com' }), /ADMIN_EMAIL and ADMIN_PASSWORD go together/);
      assert.throws(() => loadEnv({ ADMIN_PASSWORD: 'kq7#vz2m-tulip' }), /ADMIN_EMAIL and ADMIN_PASSWORD go together/);
    });

    it('accepts both', () => {
      const env = loadEnv({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'kq7#vz2m-tulip' });
      assert.equal(env.adminEmail, 'root@example.com');
      assert.equal(env.adminPassword, 'kq7#vz2m-tulip');
    });

    it('refuses an ADMIN_EMAIL that is not an email', () => {
      assert.throws(() => loadEnv({ ADMIN_EMAIL: 'root', ADMIN_PASSWORD: 'kq7#vz2m-tulip' }), /ADMIN_EMAIL/);
    });
  });

  it('splits CORS_ORIGINS on commas, trimming and dropping empties', () => {
    assert.deepEqual(loadEnv({ CORS_ORIGINS: 'a, b,' }).corsOrigins, ['a', 'b']);
    assert.deepEqual(loadEnv({ CORS_ORIGINS: 'https://app.example.com , http://localhost:5173' }).corsOrigins, [
      'https://app.example.com',
      'http://localhost:5173',
    ]);
  });

  describe('booleans', () => {
    it('reads true and false', () => {
      const env = loadEnv({ MIGRATIONS_RUN: 'false', SWAGGER_ENABLED: 'false' });
      assert.equal(env.migrationsRun, false);
      assert.equal(env.swaggerEnabled, false);
    });

    it('reads 1/0, yes/no and on/off, in any case', () => {
      assert.equal(loadEnv({ SWAGGER_ENABLED: 'YES' }).swaggerEnabled, true);
      assert.equal(loadEnv({ SWAGGER_ENABLED: ' On ' }).swaggerEnabled, true);
      assert.equal(loadEnv({ MIGRATIONS_RUN: '0' }).migrationsRun, false);
      assert.equal(loadEnv({ MIGRATIONS_RUN: 'No' }).migrationsRun, false);
      assert.equal(loadEnv({ MIGRATIONS_RUN: 'off' }).migrationsRun, false);
    });

    it('refuses anything else', () => {
      assert.throws(() => loadEnv({ SWAGGER_ENABLED: 'maybe' }), /SWAGGER_ENABLED/);
    });
  });

  describe('PASSWORD_HASH_CONCURRENCY', () => {
    it("defaults to one per CPU, at most libuv's threads, and takes a positive count", () => {
      assert.equal(loadEnv({}).passwordHashConcurrency, Math.min(availableParallelism(), 4));
      assert.equal(loadEnv({ UV_THREADPOOL_SIZE: '1' }).passwordHashConcurrency, 1);
      assert.equal(loadEnv({ UV_THREADPOOL_SIZE: '64' }).passwordHashConcurrency, availableParallelism());
      assert.equal(loadEnv({ PASSWORD_HASH_CONCURRENCY: '3' }).passwordHashConcurrency, 3);
    });

    it("refuses more than libuv's pool has threads for, naming UV_THREADPOOL_SIZE", () => {
      assert.throws(() => loadEnv({ PASSWORD_HASH_CONCURRENCY: '5' }), /UV_THREADPOOL_SIZE to at least 5/);
      assert.throws(() => loadEnv({ PASSWORD_HASH_CONCURRENCY: '3', UV_THREADPOOL_SIZE: '2' }), /has 2/);
      assert.equal(loadEnv({ PASSWORD_HASH_CONCURRENCY: '8', UV_THREADPOOL_SIZE: '8' }).passwordHashConcurrency, 8);
      assert.throws(() => loadEnv({ UV_THREADPOOL_SIZE: '0' }), /UV_THREADPOOL_SIZE/);
    });

    it('refuses zero and anything not a count', () => {
      assert.throws(() => loadEnv({ PASSWORD_HASH_CONCURRENCY: '0' }), /PASSWORD_HASH_CONCURRENCY/);
      assert.throws(() => loadEnv({ PASSWORD_HASH_CONCURRENCY: 'many' }), /PASSWORD_HASH_CONCURRENCY/);
    });
  });

  describe('TRUST_PROXY', () => {
    it('takes off, a hop count, or proxy addresses and CIDRs', () => {
      assert.equal(loadEnv({ TRUST_PROXY: 'false' }).trustProxy, false);
      assert.equal(loadEnv({ TRUST_PROXY: '1' }).trustProxy, 1);
      assert.equal(loadEnv({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7' }).trustProxy, '10.0.0.0/8,192.168.1.7');
    });

    it('refuses true, which would let any client choose its address', () => {
      assert.throws(() => loadEnv({ TRUST_PROXY: 'true' }), /number of proxies/);
      assert.throws(() => loadEnv({ TRUST_PROXY: 'maybe' }), /TRUST_PROXY/);
    });
  });

  it('refuses an unknown LOG_LEVEL', () => {
    assert.throws(() => loadEnv({ LOG_LEVEL: 'verbose' }), /LOG_LEVEL/);
  });

  describe('LOG_FORMAT', () => {
    it('takes pretty or json, and leaves the choice to the logger when unset', () => {
      assert.equal(loadEnv({ LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
      assert.equal(loadEnv({ LOG_FORMAT: 'json' }).logFormat, 'json');
      assert.equal(loadEnv({ LOG_FORMAT: '' }).logFormat, undefined);
      assert.throws(() => loadEnv({ LOG_FORMAT: 'text' }), /LOG_FORMAT must be one of the following values: pretty, json \(got "text"\)/);
    });
  });

  describe('loadLogSettings', () => {
    it('reads the logging variables of a valid environment', () => {
      assert.deepEqual(loadLogSettings({ NODE_ENV: 'production', LOG_LEVEL: 'warn', LOG_FORMAT: 'json' }), {
        nodeEnv: 'production',
        level: 'warn',
        format: 'json',
      });
    });

    it('keeps what is valid of an environment that start-up refuses, and the defaults for the rest', () => {
      assert.deepEqual(loadLogSettings({ NODE_ENV: 'production', LOG_LEVEL: 'loud', PORT: 'abc' }), {
        nodeEnv: 'production',
        level: 'info',
        format: undefined,
      });
      assert.deepEqual(loadLogSettings({ NODE_ENV: 'staging', LOG_FORMAT: 'json' }), {
        nodeEnv: 'development',
        level: 'info',
        format: 'json',
      });
      assert.deepEqual(loadLogSettings({ LOG_FORMAT: 'text', LOG_LEVEL: 'debug' }), {
        nodeEnv: 'development',
        level: 'debug',
        format: undefined,
      });
    });
  });

  it('treats an empty JWT_SECRET as unset', () => {
    assert.equal(loadEnv({ JWT_SECRET: '' }).jwtSecret, undefined);
  });

  describe('mail', () => {
    it('takes smtp:// and smtps:// URLs only', () => {
      assert.equal(loadEnv({ SMTP_URL: 'smtps://user:pass@mail.example.com:465' }).smtpUrl, 'smtps://user:pass@mail.example.com:465');
      assert.throws(() => loadEnv({ SMTP_URL: 'http://mail.example.com' }), /SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
    });

    it('never repeats the password of a bad SMTP_URL in its error', () => {
      for (const value of ['http://mailer:s3cret-pw@mail.example.com', 'smtp://mailer:s3cret-pw@mail example.com']) {
        const error = captureError(() => loadEnv({ SMTP_URL: value }));
        assert.match(error.message, /SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
        assert.doesNotMatch(error.message, /s3cret-pw/);
        assert.match(error.message, /mailer:\*\*\*@mail/, 'the rest of the URL still helps to spot the mistake');
      }
    });

    it('drops the trailing slash of PUBLIC_URL and refuses what is not an http(s) URL', () => {
      assert.equal(loadEnv({ PUBLIC_URL: 'https://app.example.com/' }).publicUrl, 'https://app.example.com');
      assert.throws(() => loadEnv({ PUBLIC_URL: 'javascript:alert(1)' }), /PUBLIC_URL must be an http\(s\) URL/);
    });
  });
});
