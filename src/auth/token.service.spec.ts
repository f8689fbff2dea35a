import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import type { AuthConfig } from '../config/auth.config.js';
import { loadSigningKeys } from '../config/signing-keys.js';
import { subjectFromClaims, TokenService, tokenHeader } from './token.service.js';

describe('subjectFromClaims', () => {
  const sid = 5;
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + 900;
  const jti = '0b6f2a4e-9d7c-4c1e-8f3a-2d5b6c7e8f90';

  for (const [sub, id] of [
    ['1', 1],
    ['42', 42],
    ['2147483647', 2_147_483_647],
  ] as const) {
    it(`reads sub ${JSON.stringify(sub)} as ${id}`, () => {
      assert.deepEqual(subjectFromClaims({ sub, exp, iat, jti, sid }), { userId: id, sessionId: sid });
    });
  }

  for (const sub of ['0', '01', '-1', '+1', '1e3', '1.0', ' 1', '1 ', '1\n', '0x1', '', '2147483648', '9999999999', '12345678901']) {
    it(`refuses sub ${JSON.stringify(sub)}`, () => {
      assert.equal(subjectFromClaims({ sub, exp, iat, jti, sid }), undefined);
    });
  }

  it('refuses a numeric sub', () => {
    assert.equal(subjectFromClaims({ sub: 1 as unknown as string, exp, iat, jti, sid }), undefined);
  });

  it('refuses claims without a numeric exp', () => {
    assert.equal(subjectFromClaims({ sub: '1', iat, jti, sid }), undefined);
    assert.equal(subjectFromClaims({ sub: '1', exp: String(exp) as unknown as number, iat, jti, sid }), undefined);
  });

  it('refuses claims without a jti or a numeric iat', () => {
    assert.equal(subjectFromClaims({ sub: '1', exp, iat, sid }), undefined);
    assert.equal(subjectFromClaims({ sub: '1', exp, iat, jti: '', sid }), undefined);
    assert.equal(subjectFromClaims({ sub: '1', exp, jti, sid }), undefined);
  });

  it('requires sid to be a positive 32-bit integer', () => {
    for (const bad of [0, -1, 1.5, 2_147_483_648, '5', undefined, null]) {
      assert.equal(subjectFromClaims({ sub: '1', exp, iat, jti, sid: bad as unknown as number }), undefined, String(bad));
    }
  });
});

function hs256Config(secret: string): AuthConfig {
  return {
    keys: { algorithm: 'HS256', signingKey: secret, verificationKeys: new Map([['', secret]]), jwks: [] },
    issuer: 'test-issuer',
    audience: 'test-audience',
    accessTokenTtlSeconds: 1200,
    refreshTokenTtlSeconds: 14 * 86_400,
    refreshReuseGraceSeconds: 0,
    adminEmail: undefined,
    adminPassword: undefined,
  };
}

describe('TokenService.issue', () => {
  const secret = randomBytes(48).toString('base64url');
  const config = hs256Config(secret);
  const service = new TokenService(config);

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
    const [a, b] = await Promise.all([
      service.issue({ userId: 1, sessionId: 9, refreshToken: 'rt' }),
      service.issue({ userId: 1, sessionId: 9, refreshToken: 'rt' }),
    ]);
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
    assert.deepEqual(subjectFromClaims({ ...claims, aud: undefined }), { userId: 2_147_483_647, sessionId: 9 });
  });

  it('produces a token that fails verification with another secret', async () => {
    const { access_token } = await service.issue({ userId: 1, sessionId: 9, refreshToken: 'rt' });
    assert.throws(() => jwt.verify(access_token, randomBytes(48).toString('base64url')), /invalid signature/);
  });
});

describe('TokenService.verifierFor', () => {
  const secret = randomBytes(48).toString('base64url');
  const service = new TokenService(hs256Config(secret));
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: '7', sid: 3, jti: 'j-1', iat: now, exp: now + 600, iss: 'test-issuer', aud: 'test-audience' };
  /** Put together by hand: jsonwebtoken would add an `iat` of its own. */
  const forge = (payload: object, header: object = { alg: 'HS256', typ: 'at+jwt' }, key = secret) => {
    const input = [header, payload].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.');
    return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
  };
  const verify = (token: string) => {
    const verifier = service.verifierFor(token);
    assert.ok(verifier, 'a verifier for the header');
    return verifier(token);
  };

  it('verifies the service’s own token and yields its claims', async () => {
    const { access_token } = await service.issue({ userId: 7, sessionId: 3, refreshToken: 'rt' });
    assert.deepEqual(subjectFromClaims(verify(access_token)), { userId: 7, sessionId: 3 });
    assert.deepEqual(subjectFromClaims(verify(forge(claims))), { userId: 7, sessionId: 3 });
  });

  it('refuses a correctly signed token whose typ is not at+jwt', () => {
    for (const typ of ['JWT', 'jwt', 'application/jwt', undefined]) {
      assert.throws(() => verify(forge(claims, { alg: 'HS256', typ })), /typ/i, String(typ));
    }
  });

  it('refuses a correctly signed token that lacks a claim it relies on, or names another issuer or audience', () => {
    for (const claim of ['iss', 'aud', 'exp', 'iat', 'jti', 'sub', 'sid'] as const) {
      const { [claim]: _left, ...rest } = claims;
      assert.throws(() => verify(forge(rest)), /required|claim/i, claim);
    }
    assert.throws(() => verify(forge({ ...claims, iss: 'other' })), /iss/);
    assert.throws(() => verify(forge({ ...claims, aud: 'other' })), /aud/);
  });

  it('honours exp and nbf with a few seconds of tolerance, not more', () => {
    assert.throws(() => verify(forge({ ...claims, exp: now - 60 })), /expired/i);
    assert.throws(() => verify(forge({ ...claims, nbf: now + 60 })), /will be active/);
    assert.deepEqual(subjectFromClaims(verify(forge({ ...claims, exp: now - 2 }))), { userId: 7, sessionId: 3 });
  });

  it('refuses another secret, another algorithm and a kid in HS256 mode', () => {
    assert.throws(() => verify(forge(claims, undefined, randomBytes(48).toString('base64url'))), /signature/i);
    const hs512 = jwt.sign(claims, secret, { algorithm: 'HS512', header: { alg: 'HS512', typ: 'at+jwt' } });
    assert.throws(() => verify(hs512), /algorithm/i);
    assert.equal(service.verifierFor(forge(claims, { alg: 'HS256', typ: 'at+jwt', kid: 'x' })), undefined);
  });
});

describe('TokenService, verifying a token again', () => {
  const secret = randomBytes(48).toString('base64url');

  it('stops accepting a token it has verified once the token expires', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const service = new TokenService({ ...hs256Config(secret), accessTokenTtlSeconds: 60 });
    const { access_token } = await service.issue({ userId: 4, sessionId: 8, refreshToken: 'rt' });
    const verify = service.verifierFor(access_token)!;
    for (let i = 0; i < 3; i++) assert.deepEqual(subjectFromClaims(verify(access_token)), { userId: 4, sessionId: 8 });
    t.mock.timers.tick(60_000 + 4_000);
    assert.deepEqual(subjectFromClaims(verify(access_token)), { userId: 4, sessionId: 8 }, 'within the clock tolerance');
    t.mock.timers.tick(2_000);
    assert.throws(() => verify(access_token), /expired/i);
  });

  it('remembers only headers in its own form, so junk headers cannot crowd out the real one', async () => {
    const service = new TokenService(hs256Config(secret));
    const remembered = (service as unknown as { verifiersByHeader: Map<string, unknown> }).verifiersByHeader;
    const { access_token } = await service.issue({ userId: 4, sessionId: 8, refreshToken: 'rt' });
    const [, payload, signature] = access_token.split('.');
    for (let i = 0; i < 100; i++) {
      const junk = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', x: i })).toString('base64url');
      assert.ok(service.verifierFor(`${junk}.${payload}.${signature}`), 'still picks the key');
    }
    assert.equal(remembered.size, 0);
    assert.ok(service.verifierFor(access_token)!(access_token));
    assert.deepEqual([...remembered.keys()], [access_token.split('.')[0]]);
  });

  it('refuses a token whose header it has seen but whose payload or signature was changed', async () => {
    const service = new TokenService(hs256Config(secret));
    const { access_token } = await service.issue({ userId: 4, sessionId: 8, refreshToken: 'rt' });
    assert.ok(service.verifierFor(access_token)!(access_token));
    const [header, payload, signature] = access_token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const raised = Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url');
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    for (const forged of [`${header}.${raised}.${signature}`, `${header}.${payload}.${flipped}`]) {
      assert.throws(() => service.verifierFor(forged)!(forged), /signature/i);
    }
  });
});

describe('EdDSA', () => {
  const pair = generateKeyPairSync('ed25519');
  const keys = loadSigningKeys(
    {
      privateKey: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      publicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      rotatedPublicKeys: undefined,
      secret: undefined,
      rsaAlgorithm: 'RS256',
    },
    { nodeEnv: 'test', dataDir: './data' },
  );
  const service = new TokenService({ ...hs256Config(''), keys });

  it('signs Ed25519 keys as EdDSA under the key’s thumbprint, verifiable by node:crypto alone', async () => {
    assert.equal(keys.algorithm, 'EdDSA');
    assert.deepEqual(keys.jwks[0], { ...pair.publicKey.export({ format: 'jwk' }), kid: keys.kid, alg: 'EdDSA', use: 'sig' });
    const { access_token } = await service.issue({ userId: 5, sessionId: 2, refreshToken: 'rt' });
    const [header, payload, signature] = access_token.split('.');
    assert.deepEqual(tokenHeader(access_token), { alg: 'EdDSA', typ: 'at+jwt', kid: keys.kid });
    assert.ok(cryptoVerify(null, Buffer.from(`${header}.${payload}`), pair.publicKey, Buffer.from(signature, 'base64url')));
    assert.deepEqual(subjectFromClaims(service.verifierFor(access_token)!(access_token)), { userId: 5, sessionId: 2 });
  });

  it('refuses a token signed by another Ed25519 key under the same kid', async () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const { access_token } = await service.issue({ userId: 5, sessionId: 2, refreshToken: 'rt' });
    const [header, payload] = access_token.split('.');
    const forged = `${header}.${payload}.${cryptoSign(null, Buffer.from(`${header}.${payload}`), other).toString('base64url')}`;
    assert.throws(() => service.verifierFor(forged)!(forged), /signature/i);
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
