import assert from 'node:assert/strict';
import { createHmac, createSecretKey, generateKeyPairSync, randomBytes, sign as cryptoSign } from 'node:crypto';
import { describe, it } from 'node:test';
import { JwtService } from '@nestjs/jwt';
import jwt from 'jsonwebtoken';
import type { AuthConfig } from '../config/auth.config.js';
import { loadSigningKeys, type SigningKeys } from '../config/signing-keys.js';
import { type AccessTokenClaims, accessTokenVerifyOptions, jwtModuleOptions, subjectFromClaims, tokenHeader } from './access-token.js';
import { TokenService } from './token.service.js';

function configWith(keys: SigningKeys, ttl = 1200): AuthConfig {
  return {
    keys,
    issuer: 'test-issuer',
    audience: 'test-audience',
    accessTokenTtlSeconds: ttl,
    refreshTokenTtlSeconds: 14 * 86_400,
    refreshReuseGraceSeconds: 0,
    adminEmail: undefined,
    adminPassword: undefined,
  };
}

function hs256Keys(secret: string): SigningKeys {
  const key = createSecretKey(Buffer.from(secret));
  return { algorithm: 'HS256', signingKey: key, verificationKeys: new Map([['', key]]), jwks: [] };
}

function asymmetricKeys(type: 'ec' | 'rsa', rsaAlgorithm: 'RS256' | 'PS256' = 'RS256', rotated: string[] = []) {
  const pair = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keys = loadSigningKeys(
    {
      privateKey: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      publicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      rotatedPublicKeys: rotated.join('\n') || undefined,
      secret: undefined,
      rsaAlgorithm,
    },
    { nodeEnv: 'test', dataDir: './data' },
  );
  return { pair, keys };
}

/** The service as the app wires it: `JwtService` configured by `jwtModuleOptions`. */
const serviceFor = (config: AuthConfig) => new TokenService(new JwtService(jwtModuleOptions(config)), config);

/**
 * What the JWT strategy does with a bearer token: the key `verificationKeyFor` chooses, then
 * jsonwebtoken (passport-jwt's verifier) with the strategy's options, then the claims' subject.
 */
function accept(service: TokenService, config: AuthConfig, token: string) {
  const key = service.verificationKeyFor(token);
  if (!key) throw new Error('no key for this header');
  const { jsonWebTokenOptions, ...options } = accessTokenVerifyOptions(config);
  const claims = jwt.verify(token, key, { ...jsonWebTokenOptions, ...options }) as Partial<AccessTokenClaims>;
  return subjectFromClaims(claims);
}

describe('TokenService.issue', () => {
  const secret = randomBytes(48).toString('base64url');
  const config = configWith(hs256Keys(secret));
  const service = serviceFor(config);

  it('returns a bearer token with the configured lifetime', () => {
    const token = service.issue({ userId: 42, sessionId: 9, refreshToken: 'rt' });
    assert.equal(token.token_type, 'bearer');
    assert.equal(token.expires_in, 1200);
    assert.equal(token.refresh_token, 'rt');
  });

  it('signs an HS256 at+jwt with sub, sid, jti, iss, aud and exp', () => {
    const { access_token } = service.issue({ userId: 42, sessionId: 9, refreshToken: 'rt' });
    const decoded = jwt.decode(access_token, { complete: true });
    assert.ok(decoded && typeof decoded.payload === 'object');
    assert.deepEqual(decoded.header, { alg: 'HS256', typ: 'at+jwt' });
    const { sub, sid, jti, iss, aud, iat, exp } = decoded.payload;
    assert.equal(sub, '42');
    assert.equal(sid, 9);
    assert.match(String(jti), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(iss, 'test-issuer');
    assert.equal(aud, 'test-audience');
    assert.equal(exp! - iat!, 1200);
    assert.ok(Math.abs(iat! - Date.now() / 1000) < 5);
  });

  it('gives every token its own jti', () => {
    const jtiOf = (token: string) => (jwt.decode(token) as jwt.JwtPayload).jti;
    const [a, b] = [1, 2].map(() => service.issue({ userId: 1, sessionId: 9, refreshToken: 'rt' }).access_token);
    assert.notEqual(jtiOf(a), jtiOf(b));
  });

  it('produces a token that verifies with the secret alone and fails with another', () => {
    const { access_token } = service.issue({ userId: 2_147_483_647, sessionId: 9, refreshToken: 'rt' });
    const claims = jwt.verify(access_token, secret, { algorithms: ['HS256'], issuer: 'test-issuer', audience: 'test-audience' });
    assert.deepEqual(subjectFromClaims(claims as Partial<AccessTokenClaims>), { userId: 2_147_483_647, sessionId: 9 });
    assert.throws(() => jwt.verify(access_token, randomBytes(48).toString('base64url')), /invalid signature/);
  });
});

describe('verifying an HS256 access token as the JWT strategy does', () => {
  const secret = randomBytes(48).toString('base64url');
  const config = configWith(hs256Keys(secret));
  const service = serviceFor(config);
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: '7', sid: 3, jti: 'j-1', iat: now, exp: now + 600, iss: 'test-issuer', aud: 'test-audience' };
  /** Put together by hand: jsonwebtoken would add an `iat` of its own. */
  const forge = (payload: object, header: object = { alg: 'HS256', typ: 'at+jwt' }, key = secret) => {
    const input = [header, payload].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.');
    return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
  };
  const verify = (token: string) => accept(service, config, token);

  it('accepts the service’s own token and a well-formed one', () => {
    const { access_token } = service.issue({ userId: 7, sessionId: 3, refreshToken: 'rt' });
    assert.deepEqual(verify(access_token), { userId: 7, sessionId: 3 });
    assert.deepEqual(verify(forge(claims)), { userId: 7, sessionId: 3 });
  });

  it('chooses no key for a correctly signed token whose typ is not at+jwt', () => {
    for (const typ of ['JWT', 'jwt', 'application/jwt', undefined]) {
      assert.equal(service.verificationKeyFor(forge(claims, { alg: 'HS256', typ })), undefined, String(typ));
    }
  });

  it('refuses a correctly signed token that lacks a claim it relies on, or names another issuer or audience', () => {
    for (const claim of ['iss', 'aud'] as const) {
      const { [claim]: _left, ...rest } = claims;
      assert.throws(() => verify(forge(rest)), /jwt (issuer|audience) invalid/, claim);
    }
    for (const claim of ['exp', 'iat', 'jti', 'sub', 'sid'] as const) {
      const { [claim]: _left, ...rest } = claims;
      assert.equal(verify(forge(rest)), undefined, claim);
    }
    assert.throws(() => verify(forge({ ...claims, iss: 'other' })), /issuer invalid/);
    assert.throws(() => verify(forge({ ...claims, aud: 'other' })), /audience invalid/);
  });

  it('honours exp and nbf with a few seconds of tolerance, not more', () => {
    assert.throws(() => verify(forge({ ...claims, exp: now - 60 })), { name: 'TokenExpiredError' });
    assert.throws(() => verify(forge({ ...claims, nbf: now + 60 })), { name: 'NotBeforeError' });
    assert.deepEqual(verify(forge({ ...claims, exp: now - 2 })), { userId: 7, sessionId: 3 });
  });

  it('refuses another secret, another algorithm, `none`, a kid and key-bearing headers in HS256 mode', () => {
    assert.throws(() => verify(forge(claims, undefined, randomBytes(48).toString('base64url'))), /invalid signature/);
    const hs512 = jwt.sign(claims, secret, { algorithm: 'HS512', header: { alg: 'HS512', typ: 'at+jwt' } });
    assert.equal(service.verificationKeyFor(hs512), undefined);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${forge(claims).split('.')[1]}.`;
    assert.equal(service.verificationKeyFor(unsigned), undefined);
    for (const extra of [{ kid: 'x' }, { jku: 'https://attacker.example/jwks' }, { jwk: { kty: 'oct', k: 'AA' } }]) {
      assert.equal(service.verificationKeyFor(forge(claims, { alg: 'HS256', typ: 'at+jwt', ...extra })), undefined, JSON.stringify(extra));
    }
  });

  it('refuses a token whose payload or signature was changed', () => {
    const { access_token } = service.issue({ userId: 4, sessionId: 8, refreshToken: 'rt' });
    const [header, payload, signature] = access_token.split('.');
    const raised = Buffer.from(JSON.stringify({ ...(jwt.decode(access_token) as object), sub: '1' })).toString('base64url');
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    for (const forged of [`${header}.${raised}.${signature}`, `${header}.${payload}.${flipped}`]) {
      assert.throws(() => verify(forged), /invalid signature/);
    }
  });

  it('stops accepting a token once it expires, after the clock tolerance', (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const short = configWith(hs256Keys(secret), 60);
    const { access_token } = serviceFor(short).issue({ userId: 4, sessionId: 8, refreshToken: 'rt' });
    assert.deepEqual(accept(service, short, access_token), { userId: 4, sessionId: 8 });
    t.mock.timers.tick(60_000 + 4_000);
    assert.deepEqual(accept(service, short, access_token), { userId: 4, sessionId: 8 }, 'within the clock tolerance');
    t.mock.timers.tick(2_000);
    assert.throws(() => accept(service, short, access_token), { name: 'TokenExpiredError' });
  });
  it('reads a header once per service: the next token with it gets the same key without decoding it', (t) => {
    const fresh = serviceFor(config);
    const parse = t.mock.method(JSON, 'parse');
    const key = fresh.verificationKeyFor(forge(claims));
    assert.ok(key);
    assert.equal(parse.mock.callCount(), 1);
    assert.equal(fresh.verificationKeyFor(forge({ ...claims, sub: '8' })), key);
    assert.equal(parse.mock.callCount(), 1, 'the second token, same header, was not decoded');
    // A refused header is read every time: only accepted ones are kept.
    const refused = forge(claims, { alg: 'HS256', typ: 'JWT' });
    assert.equal(fresh.verificationKeyFor(refused), undefined);
    assert.equal(fresh.verificationKeyFor(refused), undefined);
    assert.equal(parse.mock.callCount(), 3);
    // A remembered header still goes to jsonwebtoken for the signature and the claims.
    assert.throws(() => accept(fresh, config, forge(claims, undefined, randomBytes(48).toString('base64url'))), /invalid signature/);
  });

  it('keeps at most 64 headers: crafted variants that name the key start the list again', (t) => {
    const fresh = serviceFor(config);
    const parse = t.mock.method(JSON, 'parse');
    const variant = (i: number) => forge(claims, { alg: 'HS256', typ: 'at+jwt', n: i });
    for (let i = 0; i < 64; i++) assert.ok(fresh.verificationKeyFor(variant(i)));
    assert.ok(fresh.verificationKeyFor(variant(0)));
    assert.equal(parse.mock.callCount(), 64, 'all 64 kept');
    assert.ok(fresh.verificationKeyFor(variant(64)));
    assert.ok(fresh.verificationKeyFor(variant(1)));
    assert.equal(parse.mock.callCount(), 66, 'the 65th started the list again, so the second was read again');
  });
});

describe('asymmetric keys', () => {
  for (const [type, algorithm] of [
    ['ec', 'ES256'],
    ['rsa', 'RS256'],
    ['rsa', 'PS256'],
  ] as const) {
    it(`signs ${algorithm} under the key’s thumbprint, verifiable with the published JWK alone`, () => {
      const { pair, keys } = asymmetricKeys(type, algorithm === 'PS256' ? 'PS256' : 'RS256');
      const config = configWith(keys);
      const service = serviceFor(config);
      assert.equal(keys.algorithm, algorithm);
      assert.deepEqual(keys.jwks[0], { ...pair.publicKey.export({ format: 'jwk' }), kid: keys.kid, alg: algorithm, use: 'sig' });
      const { access_token } = service.issue({ userId: 5, sessionId: 2, refreshToken: 'rt' });
      assert.deepEqual(tokenHeader(access_token), { alg: algorithm, typ: 'at+jwt', kid: keys.kid });
      assert.deepEqual(accept(service, config, access_token), { userId: 5, sessionId: 2 });
      jwt.verify(access_token, pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(), { algorithms: [algorithm] });
    });
  }

  it('accepts a rotated key’s tokens under their kid and refuses the current kid with another key’s signature', () => {
    const old = asymmetricKeys('ec');
    const oldService = serviceFor(configWith(old.keys));
    const current = asymmetricKeys('ec', 'RS256', [old.pair.publicKey.export({ format: 'pem', type: 'spki' }).toString()]);
    const config = configWith(current.keys);
    const service = serviceFor(config);
    const fromOld = oldService.issue({ userId: 3, sessionId: 1, refreshToken: 'rt' }).access_token;
    assert.deepEqual(accept(service, config, fromOld), { userId: 3, sessionId: 1 });

    const [, payload] = fromOld.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: current.keys.kid })).toString('base64url');
    const signature = cryptoSign('sha256', Buffer.from(`${header}.${payload}`), { key: old.pair.privateKey, dsaEncoding: 'ieee-p1363' });
    assert.throws(() => accept(service, config, `${header}.${payload}.${signature.toString('base64url')}`), /invalid signature/);
    assert.equal(
      service.verificationKeyFor(
        fromOld.replace(/^[^.]+/, Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'unknown' })).toString('base64url')),
      ),
      undefined,
    );
  });

  it('refuses HS256 tokens signed with the public key in asymmetric mode (algorithm confusion)', () => {
    const { pair, keys } = asymmetricKeys('rsa');
    const config = configWith(keys);
    const service = serviceFor(config);
    const pem = pair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const now = Math.floor(Date.now() / 1000);
    const input = [
      { alg: 'HS256', typ: 'at+jwt', kid: keys.kid },
      { sub: '1', sid: 1, jti: 'j', iat: now, exp: now + 60, iss: 'test-issuer', aud: 'test-audience' },
    ]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .join('.');
    const confused = `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    assert.equal(service.verificationKeyFor(confused), undefined);
  });

  it('refuses Ed25519 keys at start-up, naming the keys it takes', () => {
    const pair = generateKeyPairSync('ed25519');
    assert.throws(
      () =>
        loadSigningKeys(
          {
            privateKey: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
            publicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
            rotatedPublicKeys: undefined,
            secret: undefined,
            rsaAlgorithm: 'RS256',
          },
          { nodeEnv: 'test', dataDir: './data' },
        ),
      /Ed25519 keys \(EdDSA\) are not supported.*ES256, RS256 and PS256/,
    );
  });
});
