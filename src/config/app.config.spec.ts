import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEnv } from './env.js';

describe('app config', () => {
  describe('PORT', () => {
    it('parses a number', () => {
      assert.equal(loadEnv({ PORT: '8080' }).app.port, 8080);
    });

    for (const port of ['abc', '80a', '-1', '65536', '1.5']) {
      it(`refuses ${JSON.stringify(port)}`, () => {
        assert.throws(() => loadEnv({ PORT: port }), /PORT/);
      });
    }
  });

  describe('SHUTDOWN_TIMEOUT', () => {
    it('reads a duration of a second or more', () => {
      assert.equal(loadEnv({ SHUTDOWN_TIMEOUT: '30s' }).app.shutdownTimeoutMs, 30_000);
      assert.equal(loadEnv({ SHUTDOWN_TIMEOUT: '1s' }).app.shutdownTimeoutMs, 1_000);
    });

    for (const value of ['0', '500ms', 'soon', '-5s']) {
      it(`refuses SHUTDOWN_TIMEOUT=${value}`, () => {
        assert.throws(() => loadEnv({ SHUTDOWN_TIMEOUT: value }), /SHUTDOWN_TIMEOUT/);
      });
    }
  });

  describe('HTTP timeouts', () => {
    it('reads durations', () => {
      assert.deepEqual(
        loadEnv({ HTTP_HEADERS_TIMEOUT: '500ms', HTTP_REQUEST_TIMEOUT: '1m', HTTP_KEEP_ALIVE_TIMEOUT: '2m' }).app.httpTimeouts,
        {
          headersMs: 500,
          requestMs: 60_000,
          keepAliveMs: 120_000,
        },
      );
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

  it('splits CORS_ORIGINS on commas, trimming and dropping empties', () => {
    assert.deepEqual(loadEnv({ CORS_ORIGINS: 'a, b,' }).app.corsOrigins, ['a', 'b']);
    assert.deepEqual(loadEnv({ CORS_ORIGINS: 'https://app.example.com , http://localhost:5173' }).app.corsOrigins, [
      'https://app.example.com',
      'http://localhost:5173',
    ]);
  });

  describe('TRUST_PROXY', () => {
    it('takes off, a hop count, or proxy addresses and CIDRs', () => {
      assert.equal(loadEnv({ TRUST_PROXY: 'false' }).app.trustProxy, false);
      assert.equal(loadEnv({ TRUST_PROXY: '1' }).app.trustProxy, 1);
      assert.equal(loadEnv({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7' }).app.trustProxy, '10.0.0.0/8,192.168.1.7');
    });

    it('refuses true, which would let any client choose its address', () => {
      assert.throws(() => loadEnv({ TRUST_PROXY: 'true' }), /number of proxies/);
      assert.throws(() => loadEnv({ TRUST_PROXY: 'maybe' }), /TRUST_PROXY/);
    });
  });
});
