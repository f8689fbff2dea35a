import type { JwtModuleOptions } from '@nestjs/jwt';
import { BIGINT_ID, INT_ID } from '../common/parse-id.pipe.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { SigningKeys } from '../config/signing-keys.js';

/** The `typ` header of this service's access tokens (RFC 9068), so no other JWT passes for one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Leeway for clocks of instances that disagree a little, on `exp` and `nbf`. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** The claims this service puts in, and requires of, an access token. */
export interface AccessTokenClaims {
  sub: string;
  sid: number;
  jti: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

/** How `JwtService` signs: the configured key, algorithm, `kid`, issuer, audience and lifetime. */
export function jwtModuleOptions(config: AuthConfig): JwtModuleOptions {
  const { algorithm, signingKey, kid } = config.keys;
  return {
    privateKey: signingKey,
    signOptions: {
      algorithm,
      issuer: config.issuer,
      audience: config.audience,
      expiresIn: config.accessTokenTtlSeconds,
      header: { alg: algorithm, typ: ACCESS_TOKEN_TYPE },
      ...(kid ? { keyid: kid } : {}),
    },
  };
}

/**
 * What passport-jwt checks besides the signature (it hands them to jsonwebtoken): the one
 * algorithm of the configured keys, the issuer, the audience, and `exp`/`nbf` with a few seconds
 * of leeway. `typ` and `kid` are checked when the key is chosen (`TokenService.verificationKeyFor`).
 */
export function accessTokenVerifyOptions(config: AuthConfig) {
  return {
    algorithms: [config.keys.algorithm],
    issuer: config.issuer,
    audience: config.audience,
    jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_SECONDS },
  };
}

/** Header members that would let a token name or carry its own key: never honoured, always refused. */
const KEY_BEARING_MEMBERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit'];

/**
 * Which key verifies a token: a known `kid` in asymmetric mode, no `kid` at all in HS256 mode
 * (the secret sits under the empty id); `undefined` when the header names no usable key.
 */
export function verificationKeyId(keys: SigningKeys, header: Record<string, unknown>): string | undefined {
  if (KEY_BEARING_MEMBERS.some((member) => member in header)) return undefined;
  if (keys.kid === undefined) return header.kid === undefined ? '' : undefined;
  return typeof header.kid === 'string' && /^[\w-]{1,64}$/.test(header.kid) && keys.verificationKeys.has(header.kid)
    ? header.kid
    : undefined;
}

/** A token's header, unverified: read only to pick the key. */
export function tokenHeader(token: string): Record<string, unknown> {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.split('.', 1)[0], 'base64url').toString('utf8'));
    return header !== null && typeof header === 'object' ? (header as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Who an access token speaks for, once its signature, `typ`, `iss`, `aud` and `exp` are verified:
 * the token must carry a `jti` and numeric `iat` and `exp`, `sub` must be the decimal id of a
 * user (plain decimal without sign, padding or exponent) and `sid` the id of a session, each in
 * its resource's range.
 */
export function subjectFromClaims(claims: Partial<AccessTokenClaims>): { userId: number; sessionId: number } | undefined {
  if (typeof claims.jti !== 'string' || claims.jti === '') return undefined;
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return undefined;
  if (typeof claims.sub !== 'string' || !/^[1-9]\d{0,9}$/.test(claims.sub)) return undefined;
  const userId = Number(claims.sub);
  const sessionId = claims.sid;
  if (userId > INT_ID.maximum || !Number.isSafeInteger(sessionId) || sessionId! < 1 || sessionId! > BIGINT_ID.maximum) return undefined;
  return { userId, sessionId: sessionId! };
}
