import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEnv } from './env.js';

describe('auth config', () => {
  describe('ACCESS_TOKEN_TTL', () => {
    for (const [ttl, seconds] of [
      ['15m', 900],
      ['30m', 1800],
      ['1h', 3600],
      ['3600s', 3600],
    ] as const) {
      it(`reads ${ttl} as ${seconds} seconds`, () => {
        assert.equal(loadEnv({ ACCESS_TOKEN_TTL: ttl }).auth.accessTokenTtlSeconds, seconds);
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
      assert.equal(loadEnv({ ACCESS_TOKEN_TTL: '1m' }).auth.accessTokenTtlSeconds, 60);
      assert.equal(loadEnv({ NODE_ENV: 'test', ACCESS_TOKEN_TTL: '30s' }).auth.accessTokenTtlSeconds, 30);
      for (const ttl of ['10s', '29s', '61m']) {
        assert.throws(() => loadEnv({ ACCESS_TOKEN_TTL: ttl }), /ACCESS_TOKEN_TTL must be between 30s and 1h/, ttl);
      }
    });

    it('refuses something that is not a duration', () => {
      assert.throws(() => loadEnv({ ACCESS_TOKEN_TTL: 'soon' }), /ACCESS_TOKEN_TTL must be a duration/);
    });
  });

  describe('admin bootstrap', () => {
    it('refuses ADMIN_EMAIL without ADMIN_PASSWORD and the reverse', () => {
      assert.throws(() => loadEnv({ ADMIN_EMAIL: 'root@example.com' }), /ADMIN_EMAIL and ADMIN_PASSWORD go together/);
      assert.throws(() => loadEnv({ ADMIN_PASSWORD: 'kq7#vz2m-tulip' }), /ADMIN_EMAIL and ADMIN_PASSWORD go together/);
    });

    it('accepts both', () => {
      const env = loadEnv({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'kq7#vz2m-tulip' });
      assert.equal(env.auth.adminEmail, 'root@example.com');
      assert.equal(env.auth.adminPassword, 'kq7#vz2m-tulip');
    });

    it('refuses an ADMIN_EMAIL that is not an email', () => {
      assert.throws(() => loadEnv({ ADMIN_EMAIL: 'root', ADMIN_PASSWORD: 'kq7#vz2m-tulip' }), /ADMIN_EMAIL/);
    });
  });

  it('treats an empty JWT_SECRET as unset', () => {
    assert.equal(loadEnv({ JWT_SECRET: '' }).auth.signing.secret, undefined);
  });
});
