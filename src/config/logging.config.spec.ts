import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEnv } from './env.js';
import { loadLogSettings } from './logging.config.js';

describe('logging config', () => {
  it('refuses an unknown LOG_LEVEL', () => {
    assert.throws(() => loadEnv({ LOG_LEVEL: 'verbose' }), /LOG_LEVEL/);
  });

  describe('LOG_FORMAT', () => {
    it('takes pretty or json, and leaves the choice to the logger when unset', () => {
      assert.equal(loadEnv({ LOG_FORMAT: 'pretty' }).logging.format, 'pretty');
      assert.equal(loadEnv({ LOG_FORMAT: 'json' }).logging.format, 'json');
      assert.equal(loadEnv({ LOG_FORMAT: '' }).logging.format, undefined);
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
});
