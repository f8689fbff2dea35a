import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEnv } from './env.js';

describe('database config', () => {
  describe('production', () => {
    it('requires DATABASE_URL', () => {
      assert.throws(() => loadEnv({ NODE_ENV: 'production' }), /DATABASE_URL is required/);
      assert.throws(() => loadEnv({ NODE_ENV: 'production', DATABASE_URL: '  ' }), /DATABASE_URL is required/);
    });

    it('accepts a DATABASE_URL', () => {
      const env = loadEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgres://app@db/app' });
      assert.equal(env.runtime.nodeEnv, 'production');
      assert.equal(env.database.url, 'postgres://app@db/app');
    });
  });

  it('reads MIGRATIONS_LOCK_TIMEOUT as a duration, and refuses nothing or junk', () => {
    assert.equal(loadEnv({ MIGRATIONS_LOCK_TIMEOUT: '250ms' }).database.migrationsLockTimeoutMs, 250);
    assert.equal(loadEnv({ MIGRATIONS_LOCK_TIMEOUT: '2m' }).database.migrationsLockTimeoutMs, 120_000);
    assert.throws(() => loadEnv({ MIGRATIONS_LOCK_TIMEOUT: '0s' }), /MIGRATIONS_LOCK_TIMEOUT must be at least 1ms/);
    assert.throws(() => loadEnv({ MIGRATIONS_LOCK_TIMEOUT: 'soon' }), /MIGRATIONS_LOCK_TIMEOUT/);
  });
});
