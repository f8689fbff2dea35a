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
});
