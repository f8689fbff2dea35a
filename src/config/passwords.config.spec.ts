import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { loadEnv } from './env.js';

describe('passwords config', () => {
  describe('PASSWORD_MIN_LENGTH', () => {
    it('takes 8 to 64', () => {
      assert.equal(loadEnv({ PASSWORD_MIN_LENGTH: '8' }).passwords.minChars, 8);
      assert.equal(loadEnv({ PASSWORD_MIN_LENGTH: '15' }).passwords.minChars, 15);
      assert.equal(loadEnv({ PASSWORD_MIN_LENGTH: '64' }).passwords.minChars, 64);
    });

    for (const value of ['7', '65', '0', 'twelve']) {
      it(`refuses ${JSON.stringify(value)}`, () => {
        assert.throws(() => loadEnv({ PASSWORD_MIN_LENGTH: value }), /PASSWORD_MIN_LENGTH/);
      });
    }
  });

  describe('production', () => {
    it('takes a password hash cost only when it reaches one of OWASP’s argon2id configurations', () => {
      const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://app@db/app' };
      for (const [memory, passes] of [
        ['47104', '1'],
        ['12288', '3'],
        ['7168', '5'],
        ['65536', '3'],
      ]) {
        const env = loadEnv({ ...production, PASSWORD_HASH_MEMORY_KIB: memory, PASSWORD_HASH_PASSES: passes });
        assert.deepEqual(env.passwords.hashCost, { memoryKib: Number(memory), passes: Number(passes) });
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
      assert.deepEqual(loadEnv({ NODE_ENV: 'test', PASSWORD_HASH_MEMORY_KIB: '1024', PASSWORD_HASH_PASSES: '1' }).passwords.hashCost, {
        memoryKib: 1024,
        passes: 1,
      });
    });
  });

  describe('PASSWORD_HASH_CONCURRENCY', () => {
    it("defaults to one per CPU, at most libuv's threads, and takes a positive count", () => {
      assert.equal(loadEnv({}).passwords.hashConcurrency, Math.min(availableParallelism(), 4));
      assert.equal(loadEnv({ UV_THREADPOOL_SIZE: '1' }).passwords.hashConcurrency, 1);
      assert.equal(loadEnv({ UV_THREADPOOL_SIZE: '64' }).passwords.hashConcurrency, availableParallelism());
      assert.equal(loadEnv({ PASSWORD_HASH_CONCURRENCY: '3' }).passwords.hashConcurrency, 3);
    });

    it("refuses more than libuv's pool has threads for, naming UV_THREADPOOL_SIZE", () => {
      assert.throws(() => loadEnv({ PASSWORD_HASH_CONCURRENCY: '5' }), /UV_THREADPOOL_SIZE to at least 5/);
      assert.throws(() => loadEnv({ PASSWORD_HASH_CONCURRENCY: '3', UV_THREADPOOL_SIZE: '2' }), /has 2/);
      assert.equal(loadEnv({ PASSWORD_HASH_CONCURRENCY: '8', UV_THREADPOOL_SIZE: '8' }).passwords.hashConcurrency, 8);
      assert.throws(() => loadEnv({ UV_THREADPOOL_SIZE: '0' }), /UV_THREADPOOL_SIZE/);
    });

    it('refuses zero and anything not a count', () => {
      assert.throws(() => loadEnv({ PASSWORD_HASH_CONCURRENCY: '0' }), /PASSWORD_HASH_CONCURRENCY/);
      assert.throws(() => loadEnv({ PASSWORD_HASH_CONCURRENCY: 'many' }), /PASSWORD_HASH_CONCURRENCY/);
    });
  });
});
