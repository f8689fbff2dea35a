import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { JwtService } from '@nestjs/jwt';
import jwt from 'jsonwebtoken';
import type { AuthConfig } from '../config/configuration.js';
import { jwtModuleOptions, subjectFromClaims, TokenService, tokenHeader } from './token.service.js';

describe('subjectFromClaims', () => {
  const sid = 5;
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + 900;
  const jti = '0b6f2a4e-9d7c-4c1e-8f3a-2d5b6c7e8f90';

  for (const [sub, id] of [['1', 1], ['42', 42], ['2147483647', 2_147_483_647]] as const) {
    it(`reads sub ${JSON.stringify(sub)} as ${id}`, () => {
      assert.deepEqual(subjectFromClaims({ sub, exp, iat, jti, sid }, 'at+jwt'), { userId: id, sessionId: sid });
    });
  }

  for (const sub of ['0', '01', '-1', '+1', '1e3', '1.0', ' 1', '1 ', '1\n', '0x1', '', '2147483648', '9999999999', '12345678901']) {
    it(`refuses sub ${JSON.stringify(sub)}`, () => {
      assert.equal(subjectFromClaims({ sub, exp, iat, jti, sid }, 'at+jwt'), undefined);
    });
  }

  it('refuses a numeric sub', () => {
    assert.equal(subjectFromClaims({ sub: 1 as unknown as string, exp, iat, jti, sid }, 'at+jwt'), undefined);
  });

  it('refuses claims without a numeric exp', () => {
    assert.equal(subjectFromClaims({ sub: '1', iat, jti, sid }, 'at+jwt'), undefined);
    assert.equal(subjectFromClaims({ sub: '1', exp: String(exp) as unknown as number, iat, jti, sid }, 'at+jwt'), undefined);
  });

  it('refuses claims without a jti or a numeric iat', () => {
    assert.equal(subjectFromClaims({ sub: '1', exp, iat, sid }, 'at+jwt'), undefined);
    assert.equal(subjectFromClaims({ sub: '1', exp, iat, jti: '', sid }, 'at+jwt'), undefined);
    assert.equal(subjectFromClaims({ sub: '1', exp, jti, sid }, 'at+jwt'), undefined);
  });

  it('requires sid to be a positive 32-bit integer', () => {
    for (const bad of [0, -1, 1.5, 2_147_483_648, '5', undefined, null]) {
      assert.equal(subjectFromClaims({ sub: '1', exp, iat, jti, sid: bad as unknown as number }, 'at+jwt'), undefined, String(bad));
    }
  });

  it('refuses a token whose header is not typ at+jwt', () => {
    assert.equal(subjectFromClaims({ sub: '1', exp, iat, jti, sid }, 'JWT'), undefined);
    assert.equal(subjectFromClaims({ sub: '1', exp, iat, jti, sid }, undefined), undefined);
    assert.deepEqual(subjectFromClaims({ sub: '1', exp, iat, jti, sid }, 'at+jwt'), { userId: 1, sessionId: sid });
  });
});

describe('TokenService.issue', () => {
  const secret = randomBytes(48).toString('base64url');
  const config: AuthConfig = {
    keys: { algorithm: 'HS256', signingKey: secret, verificationKeys: new Map([['', secret]]), jwks: [] },
    issuer: 'test-issuer',
    audience: 'test-audience',
    accessTokenTtlSeconds: 1200,
    refreshTokenTtlSeconds: 14 * 86_400,
    refreshReuseGraceSeconds: 0,
    adminEmail: undefined,
    adminPassword: undefined,
  };
  const jwtService = new JwtService(jwtModuleOptions(config));
  const service = new TokenService(jwtService, config);

  it('returns a bearer token with the configured lifetime', async () => {
    const token = await service.issue({ userId: 42, sessionId: 9, refreshToken: 'rt' });
    assert.equal(token.token_type, 'bearer');
    assert.equal(token.expires_in, 1200);
    assert.equal(typeof token.access_token, 'string');
  });

  it('signs an HS256 at+jwt with sub, jti, iss, aud and exp', async () => {
    const { access_token } = await service.issue({ userId: 42, sessionId: 9, refreshToken: 'rt' });
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
    const [a, b] = await Promise.all([service.issue({ userId: 1, sessionId: 9, refreshToken: 'rt' }), service.issue({ userId: 1, sessionId: 9, refreshToken: 'rt' })]);
    const jtiOf = (token: string) => (jwt.decode(token) as jwt.JwtPayload).jti;
    assert.notEqual(jtiOf(a.access_token), jtiOf(b.access_token));
  });

  it('produces a token that verifies with the secret and yields the user id back', async () => {
    const { access_token } = await service.issue({ userId: 2_147_483_647, sessionId: 9, refreshToken: 'rt' });
    const claims = jwt.verify(access_token, secret, {
      algorithms: ['HS256'],
      issuer: 'test-issuer',
      audience: 'test-audience',
    }) as jwt.JwtPayload;
    assert.deepEqual(subjectFromClaims({ ...claims, aud: undefined }, tokenHeader(access_token).typ), { userId: 2_147_483_647, sessionId: 9 });
  });

  it('produces a token that fails verification with another secret', async () => {
    const { access_token } = await service.issue({ userId: 1, sessionId: 9, refreshToken: 'rt' });
    assert.throws(() => jwt.verify(access_token, randomBytes(48).toString('base64url')), /invalid signature/);
  });
});

describe('tokenHeader', () => {
  it('reads the header and tolerates garbage', () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' })).toString('base64url');
    assert.equal(tokenHeader(`${header}.e30.sig`).typ, 'at+jwt');
    assert.deepEqual(tokenHeader('not-a-token'), {});
    assert.deepEqual(tokenHeader(''), {});
    assert.deepEqual(tokenHeader(`${Buffer.from('null').toString('base64url')}.e30.sig`), {});
  });
});
