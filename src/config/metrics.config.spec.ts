import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEnv } from './env.js';

describe('metrics config', () => {
  describe('METRICS_TOKEN', () => {
    it('refuses a metrics token under 32 characters', () => {
      assert.throws(() => loadEnv({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN must be at least 32 characters/);
      assert.equal(loadEnv({ METRICS_TOKEN: 'm'.repeat(32) }).metrics.token, 'm'.repeat(32));
    });

    it('never repeats the token it refuses', () => {
      const token = 'tok-7Hq2x9';
      assert.throws(
        () => loadEnv({ METRICS_TOKEN: token }),
        (error: Error) => {
          assert.match(error.message, /METRICS_TOKEN must be at least 32 characters/);
          assert.doesNotMatch(error.message, new RegExp(token));
          return true;
        },
      );
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
});
