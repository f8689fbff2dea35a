import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject, sign, verify } from 'node:crypto';
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

describe('asymmetric signing with an Ed25519 key as EdDSA', () => {
  const pair = generateKeyPairSync('ed25519');
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ JWT_PRIVATE_KEY: pem(pair.privateKey), JWT_PUBLIC_KEY: pem(pair.publicKey) });
  });
  after(() => t.close());

  /** jsonwebtoken has no EdDSA: tokens are put together and signed with node:crypto. */
  const compact = (header: object, payload: object, signWith: (input: Buffer) => Buffer) => {
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${input}.${signWith(Buffer.from(input)).toString('base64url')}`;
  };

  it('signs EdDSA tokens that the published JWK alone verifies', async () => {
    const user = await signUp(t.http);
    const { header } = jwt.decode(user.token, { complete: true })!;
    assert.deepEqual({ alg: header.alg, typ: header.typ }, { alg: 'EdDSA', typ: 'at+jwt' });
    const { keys } = (await t.http.get('/.well-known/jwks.json')).body as { keys: (JsonWebKey & { kid: string; alg: string })[] };
    assert.equal(keys.length, 1);
    assert.deepEqual(
      { kty: keys[0].kty, crv: keys[0].crv, alg: keys[0].alg, kid: keys[0].kid, d: keys[0].d },
      { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: header.kid, d: undefined },
    );
    const [h, p, sig] = user.token.split('.');
    assert.ok(verify(null, Buffer.from(`${h}.${p}`), createPublicKey({ key: keys[0], format: 'jwk' }), Buffer.from(sig, 'base64url')));
    assert.equal((await t.http.get('/users/me').set(user.auth)).status, 200);
  });

  it('refuses another Ed25519 key under the real kid, the public key as an HMAC secret, and alg none', async () => {
    const user = await signUp(t.http);
    const { header, payload } = jwt.decode(user.token, { complete: true })!;
    const claims = payload as jwt.JwtPayload;
    const control = compact(header, claims, (input) => sign(null, input, pair.privateKey));
    assert.equal((await t.http.get('/users/me').set('Authorization', `Bearer ${control}`)).status, 200);
    const attacker = generateKeyPairSync('ed25519').privateKey;
    const forged = [
      compact(header, claims, (input) => sign(null, input, attacker)),
      jwt.sign(claims, pem(pair.publicKey), { algorithm: 'HS256', header: { alg: 'HS256', typ: 'at+jwt', kid: header.kid } }),
      `${compact({ alg: 'none', typ: 'at+jwt', kid: header.kid }, claims, () => Buffer.alloc(0))}`,
      compact({ ...header, alg: 'ES256' }, claims, (input) => sign(null, input, pair.privateKey)),
    ];
    for (const token of forged) expectProblem(await t.http.get('/users/me').set('Authorization', `Bearer ${token}`), 401, 'Invalid token');
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

  it('refuses RSA keys under 2048 bits, unsupported curves, and mismatched halves, saying how to make a good key', async () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const ed448 = generateKeyPairSync('ed448');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const a = ecPair();
    const b = ecPair();
    for (const [pair, why] of [
      [{ privateKey: rsa1024.privateKey, publicKey: rsa1024.publicKey }, /at least 2048 bits.*openssl/],
      [{ privateKey: ed448.privateKey, publicKey: ed448.publicKey }, /EC P-256 .*Ed25519.* or RSA/],
      [{ privateKey: p384.privateKey, publicKey: p384.publicKey }, /EC P-256 .*Ed25519.* or RSA/],
      [{ privateKey: a.privateKey, publicKey: b.publicKey }, /not the public half/],
    ] as const) {
      await assert.rejects(startTestApp({ JWT_PRIVATE_KEY: pem(pair.privateKey), JWT_PUBLIC_KEY: pem(pair.publicKey) }), why);
    }
  });
});
