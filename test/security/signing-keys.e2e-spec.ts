import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, signUp } from '../support/factories.js';

const pem = (key: KeyObject) => key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }).toString();
const ecPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('asymmetric signing (ES256) with a rotated key', () => {
  const current = ecPair();
  const previous = ecPair();
  let t: TestApp;
  before(async () => {
    t = await startTestApp({
      JWT_PRIVATE_KEY: pem(current.privateKey),
      JWT_PUBLIC_KEY: pem(current.publicKey),
      JWT_ROTATED_PUBLIC_KEYS: pem(previous.publicKey),
    });
  });
  after(() => t.close());

  it('signs with ES256 under the kid that /.well-known/jwks.json publishes', async () => {
    const user = await signUp(t.http);
    const { header } = jwt.decode(user.token, { complete: true })!;
    assert.equal(header.alg, 'ES256');
    assert.equal(header.typ, 'at+jwt');
    const jwks = await t.http.get('/.well-known/jwks.json');
    assert.equal(jwks.status, 200);
    assert.equal(jwks.body.keys.length, 2);
    assert.equal(jwks.body.keys[0].kid, header.kid);
    assert.ok(
      jwks.body.keys.every((k: { d?: string; use: string; alg: string }) => k.d === undefined && k.use === 'sig' && k.alg === 'ES256'),
    );
    jwt.verify(user.token, pem(current.publicKey), { algorithms: ['ES256'] });
    assert.equal((await t.http.get('/users/me').set(user.auth)).status, 200);
  });

  it('accepts a token of the rotated key, and refuses HS256, unknown kids and header-supplied keys', async () => {
    const user = await signUp(t.http);
    const { payload } = jwt.decode(user.token, { complete: true }) as jwt.Jwt;
    const claims = { ...(payload as jwt.JwtPayload) };
    const rotatedKid = (await t.http.get('/.well-known/jwks.json')).body.keys[1].kid as string;
    const signed = (key: string, options: jwt.SignOptions) => jwt.sign(claims, key, options);
    const ok = signed(pem(previous.privateKey), { algorithm: 'ES256', header: { alg: 'ES256', typ: 'at+jwt', kid: rotatedKid } });
    assert.equal((await t.http.get('/users/me').set('Authorization', `Bearer ${ok}`)).status, 200);

    const currentKid = (await t.http.get('/.well-known/jwks.json')).body.keys[0].kid as string;
    const real = pem(current.privateKey);
    // Signed with the real key: only the header is wrong, so only the header checks can refuse them.
    const headerOnly = [
      { alg: 'ES256', typ: 'at+jwt', kid: 'unknown' },
      { alg: 'ES256', typ: 'at+jwt' },
      { alg: 'ES256', typ: 'at+jwt', kid: currentKid, jku: 'http://127.0.0.1:9/jwks.json' },
      { alg: 'ES256', typ: 'at+jwt', kid: currentKid, jwk: current.publicKey.export({ format: 'jwk' }) },
      { alg: 'ES256', typ: 'at+jwt', kid: currentKid, crit: ['exp'] },
      { alg: 'ES256', typ: 'at+jwt', kid: `${currentKid}/../x` },
    ];
    for (const header of headerOnly) {
      const token = signed(real, { algorithm: 'ES256', header });
      expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${token}`), 401, 'Invalid token');
    }
    const control = signed(real, { algorithm: 'ES256', header: { alg: 'ES256', typ: 'at+jwt', kid: currentKid } });
    assert.equal((await t.http.get('/users/me').set('Authorization', `Bearer ${control}`)).status, 200);

    const attacker = ecPair();
    const forged = [
      signed('a-shared-secret-that-is-long-enough-0123456789', { algorithm: 'HS256', header: { alg: 'HS256', typ: 'at+jwt' } }),
      signed(pem(attacker.privateKey), { algorithm: 'ES256', header: { alg: 'ES256', typ: 'at+jwt', kid: 'unknown' } }),
      signed(pem(attacker.privateKey), {
        algorithm: 'ES256',
        header: { alg: 'ES256', typ: 'at+jwt', jwk: attacker.publicKey.export({ format: 'jwk' }) } as jwt.JwtHeader,
      }),
      signed(pem(attacker.privateKey), {
        algorithm: 'ES256',
        header: { alg: 'ES256', typ: 'at+jwt', jku: 'http://127.0.0.1:9/jwks.json' },
      }),
      signed(pem(attacker.privateKey), { algorithm: 'ES256', header: { alg: 'ES256', typ: 'at+jwt', kid: '../../etc/passwd' } }),
    ];
    for (const token of forged) expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${token}`), 401, 'Invalid token');
  });

  it('refuses another key under the real kid, the public key as an HMAC secret, alg none and a JWT of another type', async () => {
    const user = await signUp(t.http);
    const { header, payload } = jwt.decode(user.token, { complete: true })!;
    const claims = payload as jwt.JwtPayload;
    /** Put together by hand, so that nothing a signing library checks stands in the way. */
    const compact = (h: object, signWith: (input: Buffer) => Buffer) => {
      const input = `${Buffer.from(JSON.stringify(h)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return `${input}.${signWith(Buffer.from(input)).toString('base64url')}`;
    };
    const es256 = (key: KeyObject) => (input: Buffer) => sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' });
    const control = compact(header, es256(current.privateKey));
    assert.equal((await t.http.get('/users/me').set('Authorization', `Bearer ${control}`)).status, 200);
    const forged = [
      compact(header, es256(ecPair().privateKey)),
      jwt.sign(claims, pem(current.publicKey), { algorithm: 'HS256', header: { alg: 'HS256', typ: 'at+jwt', kid: header.kid } }),
      compact({ alg: 'none', typ: 'at+jwt', kid: header.kid }, () => Buffer.alloc(0)),
      compact({ ...header, typ: 'JWT' }, es256(current.privateKey)),
    ];
    for (const token of forged) expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${token}`), 401, 'Invalid token');
  });
});

describe('asymmetric signing with an RSA key as PS256', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ JWT_PRIVATE_KEY: pem(pair.privateKey), JWT_PUBLIC_KEY: pem(pair.publicKey), JWT_RSA_ALGORITHM: 'PS256' });
  });
  after(() => t.close());

  it('signs PS256, publishes it, and refuses the same key used as RS256', async () => {
    const user = await signUp(t.http);
    const { header, payload } = jwt.decode(user.token, { complete: true })!;
    assert.equal(header.alg, 'PS256');
    assert.equal((await t.http.get('/.well-known/jwks.json')).body.keys[0].alg, 'PS256');
    assert.equal((await t.http.get('/users/me').set(user.auth)).status, 200);
    const rs256 = jwt.sign(payload, pem(pair.privateKey), { algorithm: 'RS256', header: { alg: 'RS256', typ: 'at+jwt', kid: header.kid } });
    expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${rs256}`), 401);
  });
});

describe('HS256 mode', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('publishes no JWKS and refuses a token with a kid', async () => {
    expectProblem(await t.http.get('/.well-known/jwks.json'), 404);
    const user = await signUp(t.http);
    const claims = jwt.decode(user.token) as jwt.JwtPayload;
    for (const extra of [
      { kid: 'x' },
      { kid: 5 },
      { kid: '' },
      { jku: 'http://127.0.0.1:9/k' },
      { jwk: { kty: 'oct', k: 'AA' } },
      { x5u: 'http://127.0.0.1:9/c' },
      { crit: ['exp'] },
    ]) {
      const token = jwt.sign(claims, t.jwtSecret, {
        algorithm: 'HS256',
        header: { alg: 'HS256', typ: 'at+jwt', ...extra } as jwt.JwtHeader,
      });
      expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${token}`), 401, 'Invalid token');
    }
    const same = jwt.sign(claims, t.jwtSecret, { algorithm: 'HS256', header: { alg: 'HS256', typ: 'at+jwt' } });
    assert.equal((await t.http.get('/users/me').set('Authorization', `Bearer ${same}`)).status, 200);
  });
});

describe('start-up key checks', () => {
  it('refuses a shared secret next to a key pair: the modes never mix', async () => {
    const pair = ecPair();
    await assert.rejects(
      startTestApp({
        JWT_PRIVATE_KEY: pem(pair.privateKey),
        JWT_PUBLIC_KEY: pem(pair.publicKey),
        JWT_SECRET: 'z'.repeat(8) + 'a-long-enough-secret-0123456789',
      }),
      /never mix/,
    );
  });

  it('refuses RSA keys under 2048 bits, unsupported curves, Ed25519, and mismatched halves, saying how to make a good key', async () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const ed448 = generateKeyPairSync('ed448');
    const ed25519 = generateKeyPairSync('ed25519');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const a = ecPair();
    const b = ecPair();
    for (const [pair, why] of [
      [{ privateKey: rsa1024.privateKey, publicKey: rsa1024.publicKey }, /at least 2048 bits.*openssl/],
      [{ privateKey: ed448.privateKey, publicKey: ed448.publicKey }, /EC P-256 \(ES256\) or RSA.*openssl/],
      [{ privateKey: p384.privateKey, publicKey: p384.publicKey }, /EC P-256 \(ES256\) or RSA.*openssl/],
      [{ privateKey: ed25519.privateKey, publicKey: ed25519.publicKey }, /Ed25519 keys \(EdDSA\) are not supported.*openssl/],
      [{ privateKey: a.privateKey, publicKey: b.publicKey }, /not the public half/],
    ] as const) {
      await assert.rejects(startTestApp({ JWT_PRIVATE_KEY: pem(pair.privateKey), JWT_PUBLIC_KEY: pem(pair.publicKey) }), why);
    }
  });
});
