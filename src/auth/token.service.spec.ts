import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { JwtService } from '@nestjs/jwt';
import jwt from 'jsonwebtoken';
import type { AuthConfig } from '../config/configuration.js';
import { jwtModuleOptions, TokenService, tokenType, userIdFromClaims } from './token.service.js';

describe('userIdFromClaims', () => {
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + 900;
  const jti = '0b6f2a4e-9d7c-4c1e-8f3a-2d5b6c7e8f90';

  for (const [sub, id] of [['1', 1], ['42', 42], ['2147483647', 2_147_483_647]] as const) {
    it(`reads sub ${JSON.stringify(sub)} as ${id}`, () => {
      assert.equal(userIdFromClaims({ sub, exp, iat, jti }, 'at+jwt'), id);
    });
  }

  for (const sub of ['0', '01', '-1', '+1', '1e3', '1.0', ' 1', '1 ', '1\n', '0x1', '', '2147483648', '9999999999', '12345678901']) {
    it(`refuses sub ${JSON.stringify(sub)}`, () => {
      assert.equal(userIdFromClaims({ sub, exp, iat, jti }, 'at+jwt'), undefined);
    });
  }

  it('refuses a numeric sub', () => {
    assert.equal(userIdFromClaims({ sub: 1 as unknown as string, exp, iat, jti }, 'at+jwt'), undefined);
  });

  it('refuses claims without a numeric exp', () => {
    assert.equal(userIdFromClaims({ sub: '1', iat, jti }, 'at+jwt'), undefined);
    assert.equal(userIdFromClaims({ sub: '1', exp: String(exp) as unknown as number, iat, jti }, 'at+jwt'), undefined);
  });

  it('refuses claims without a jti or a numeric iat', () => {
    assert.equal(userIdFromClaims({ sub: '1', exp, iat }, 'at+jwt'), undefined);
    assert.equal(userIdFromClaims({ sub: '1', exp, iat, jti: '' }, 'at+jwt'), undefined);
    assert.equal(userIdFromClaims({ sub: '1', exp, jti }, 'at+jwt'), undefined);
  });

  it('refuses a token whose header is not typ at+jwt', () => {
    assert.equal(userIdFromClaims({ sub: '1', exp, iat, jti }, 'JWT'), undefined);
    assert.equal(userIdFromClaims({ sub: '1', exp, iat, jti }, undefined), undefined);
    assert.equal(userIdFromClaims({ sub: '1', exp, iat, jti }, 'at+jwt'), 1);
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
    assert.equal(userIdFromClaims({ ...claims, aud: undefined }, tokenType(access_token)), 2_147_483_647);
  });

  it('produces a token that fails verification with another secret', async () => {
    const { access_token } = await service.issue({ id: 1 });
    assert.throws(() => jwt.verify(access_token, randomBytes(48).toString('base64url')), /invalid signature/);
  });
});

describe('tokenType', () => {
  it('reads typ from the header and tolerates garbage', () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' })).toString('base64url');
    assert.equal(tokenType(`${header}.e30.sig`), 'at+jwt');
    assert.equal(tokenType('not-a-token'), undefined);
    assert.equal(tokenType(''), undefined);
  });
});
