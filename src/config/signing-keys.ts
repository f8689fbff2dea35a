import { createHash, createPrivateKey, createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { resolveJwtSecret } from './jwt-secret.js';
import type { Runtime } from './variables.js';

export type JwtAlgorithm = 'HS256' | 'ES256' | 'RS256' | 'PS256';

/** The signing variables as configured: a shared secret, or a key pair and rotated public keys (PEM). */
export interface SigningSettings {
  secret?: string;
  privateKey?: string;
  publicKey?: string;
  rotatedPublicKeys?: string;
  rsaAlgorithm: 'RS256' | 'PS256';
}

/** The key that signs access tokens and the keys that verify them, by `kid`. */
export interface SigningKeys {
  algorithm: JwtAlgorithm;
  /** Imported once: the HS256 secret as a secret key, or the private key. */
  signingKey: KeyObject;
  /** Set in asymmetric mode, where tokens carry it and `/.well-known/jwks.json` lists it. */
  kid?: string;
  /** By `kid`; the HS256 secret under the empty string (HS256 tokens carry no `kid`). */
  verificationKeys: Map<string, KeyObject>;
  /** Public keys for `/.well-known/jwks.json`: empty in HS256 mode. */
  jwks: JsonWebKey[];
}

const HOW_TO_GENERATE =
  'generate one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out private.pem && openssl pkey -in private.pem -pubout -out public.pem';

/**
 * The algorithm a public key signs with: ES256 for P-256, and for RSA `JWT_RSA_ALGORITHM` (RS256,
 * or PS256). Refuses weak or unsupported keys with a way out. Ed25519 (EdDSA) is refused:
 * jsonwebtoken, which signs through @nestjs/jwt and verifies through passport-jwt, has no EdDSA.
 */
function algorithmOf(key: KeyObject, rsaAlgorithm: 'RS256' | 'PS256'): Exclude<JwtAlgorithm, 'HS256'> {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'ed25519') {
    throw new Error(`Ed25519 keys (EdDSA) are not supported: the JWT libraries sign and verify ES256, RS256 and PS256; ${HOW_TO_GENERATE}`);
  }
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < 2048) throw new Error(`RSA keys must have at least 2048 bits; ${HOW_TO_GENERATE}`);
    return rsaAlgorithm;
  }
  throw new Error(`JWT keys must be EC P-256 (ES256) or RSA of 2048 bits or more (RS256, PS256); ${HOW_TO_GENERATE}`);
}

/** RFC 7638 thumbprint: stable across restarts and instances, so every instance agrees on `kid`. */
function thumbprint(jwk: JsonWebKey): string {
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function publicJwk(key: KeyObject, algorithm: string): JsonWebKey & { kid: string } {
  const jwk = key.export({ format: 'jwk' });
  return { ...jwk, kid: thumbprint(jwk), alg: algorithm, use: 'sig' };
}

/** Splits concatenated PEM blocks. */
function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
}

/**
 * HS256 with `JWT_SECRET` (or the generated development key), or, when `JWT_PRIVATE_KEY` and
 * `JWT_PUBLIC_KEY` are set, ES256/RS256/PS256 by key type, with `JWT_ROTATED_PUBLIC_KEYS` still
 * accepted for verification. The two modes never mix: in asymmetric mode no HS256 token passes.
 */
export function loadSigningKeys(signing: SigningSettings, runtime: Runtime): SigningKeys {
  if (!signing.privateKey && !signing.publicKey) {
    const secret = createSecretKey(Buffer.from(resolveJwtSecret(signing.secret, runtime), 'utf8'));
    return { algorithm: 'HS256', signingKey: secret, verificationKeys: new Map([['', secret]]), jwks: [] };
  }
  if (!signing.privateKey || !signing.publicKey) throw new Error('JWT_PRIVATE_KEY and JWT_PUBLIC_KEY go together: set both or neither.');
  if (signing.secret) throw new Error('Set JWT_SECRET or JWT_PRIVATE_KEY/JWT_PUBLIC_KEY, not both: the two signing modes never mix.');
  const privateKey = createPrivateKey(signing.privateKey);
  const publicKey = createPublicKey(signing.publicKey);
  const algorithm = algorithmOf(publicKey, signing.rsaAlgorithm);
  const current = publicJwk(publicKey, algorithm);
  if (publicJwk(createPublicKey(privateKey), algorithm).kid !== current.kid) {
    throw new Error('JWT_PUBLIC_KEY is not the public half of JWT_PRIVATE_KEY');
  }
  const rotated = pemBlocks(signing.rotatedPublicKeys ?? '').map((pem) => {
    const key = createPublicKey(pem);
    if (algorithmOf(key, signing.rsaAlgorithm) !== algorithm)
      throw new Error(`JWT_ROTATED_PUBLIC_KEYS must all be ${algorithm} keys, like JWT_PUBLIC_KEY`);
    return { key, jwk: publicJwk(key, algorithm) };
  });
  return {
    algorithm,
    signingKey: privateKey,
    kid: current.kid,
    verificationKeys: new Map([[current.kid, publicKey], ...rotated.map(({ key, jwk }) => [jwk.kid, key] as [string, KeyObject])]),
    jwks: [current, ...rotated.map(({ jwk }) => jwk)],
  };
}

/**
 * A secret for another purpose (`label`), derived from the signing material every instance
 * shares, so it needs no setting of its own and changes when the signing key does.
 */
export function derivedSecret(keys: SigningKeys, label: string): Buffer {
  const material = keys.signingKey.type === 'secret' ? keys.signingKey.export() : keys.signingKey.export({ format: 'pem', type: 'pkcs8' });
  return createHash('sha256').update(label).update(material).digest();
}
