import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { JwtService } from '@nestjs/jwt';
import jwt from 'jsonwebtoken';
import type { AuthConfig } from '../config/configuration.js';
import { jwtModuleOptions, TokenService, userIdFromClaims } from './token.service.js';

describe('userIdFromClaims', () => {
  const exp = Math.floor(Date.now() / 1000) + 900;

  for (const [sub, id] of [['1', 1], ['42', 42], ['2147483647', 2_147_483_647]] as const) {
    it(`reads sub ${JSON.stringify(sub)} as ${id}`, () => {
      assert.equal(userIdFromClaims({ sub, exp }), id);
    });
  }

  for (const sub of ['0', '01', '-1', '+1', '1e3', '1.0', ' 1', '1 ', '1\n', '0x1', '', '2147483648', '9999999999', '12345678901']) {
    it(`refuses sub ${JSON.stringify(sub)}`, () => {
      assert.equal(userIdFromClaims({ sub, exp }), undefined);
    });
  }

  it('refuses a numeric sub', () => {
    assert.equal(userIdFromClaims({ sub: 1 as unknown as string, exp }), undefined);
  });

  it('refuses claims without a numeric exp', () => {
    assert.equal(userIdFromClaims({ sub: '1' }), undefined);
    assert.equal(userIdFromClaims({ sub: '1', exp: String(exp) as unknown as number }), undefined);
  });
});

describe('TokenService.issue', () => {
  const config: AuthConfig = {
    jwtSecret: randomBytes(48).toString('base64url'),
    issuer: 'test-issuer',
    audience: 'test-audience',
    accessTokenTtlSeconds: 1200,
    adminEmail: undefined,
    adminPassword: undefined,
  };
  const jwtService = new JwtService(jwtModuleOptions(config));
  const service = new TokenService(jwtService, config);

  it('returns a bearer token with the configured lifetime', async () => {
    const token = await service.issue({ id: 42 });
    assert.equal(token.token_type, 'bearer');
    assert.equal(token.expires_in, 1200);
    assert.equal(typeof token.access_token, 'string');
  });

  it('signs an HS256 at+jwt with sub, jti, iss, aud and exp', async () => {
    const { access_token } = await service.issue({ id: 42 });
    const decoded = jwt.decode(access_token, { complete: true });
    assert.ok(decoded && typeof decoded.payload === 'object');
    assert.deepEqual(decoded.header, { alg: 'HS256', typ: 'at+jwt' });
    const { sub, jti, iss, aud, iat, exp } = decoded.payload;
    assert.equal(sub, '42');
    assert.match(String(jti), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(iss, 'test-issuer');
    assert.equal(aud, 'test-audience');
    assert.equal(typeof iat, 'number');
    assert.equal(exp! - iat!, 1200);
    assert.ok(Math.abs(iat! - Date.now() / 1000) < 5);
  });

  it('gives every token its own jti', async () => {
    const [a, b] = await Promise.all([service.issue({ id: 1 }), service.issue({ id: 1 })]);
    const jtiOf = (token: string) => (jwt.decode(token) as jwt.JwtPayload).jti;
    assert.notEqual(jtiOf(a.access_token), jtiOf(b.access_token));
  });

  it('produces a token that verifies with the secret and yields the user id back', async () => {
    const { access_token } = await service.issue({ id: 2_147_483_647 });
    const claims = jwt.verify(access_token, config.jwtSecret, {
      algorithms: ['HS256'],
      issuer: 'test-issuer',
      audience: 'test-audience',
    }) as jwt.JwtPayload;
    assert.equal(userIdFromClaims({ sub: claims.sub, exp: claims.exp }), 2_147_483_647);
  });

  it('produces a token that fails verification with another secret', async () => {
    const { access_token } = await service.issue({ id: 1 });
    assert.throws(() => jwt.verify(access_token, randomBytes(48).toString('base64url')), /invalid signature/);
  });
});
