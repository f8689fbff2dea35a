import { type KeyObject, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createSigner, createVerifier } from 'fast-jwt';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import type { SigningKeys } from '../config/signing-keys.js';
import type { SessionTokens } from '../sessions/sessions.service.js';
import type { TokenDto } from './dto/token.dto.js';

export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Leeway for clocks of instances that disagree a little, on `exp` and `nbf`. */
const CLOCK_TOLERANCE_MS = 5_000;

/**
 * Verified tokens remembered per key (fast-jwt's LRU cache, keyed by a digest of the whole token,
 * entries kept no longer than the token's own `exp`): a client presents the same access token on
 * every request for its lifetime, and the signature check and claim parsing were about 7 % of
 * the server's CPU on `GET /users/me`.
 */
const VERIFIED_TOKEN_CACHE_SIZE = 1024;

/** Distinct token headers remembered with the verifier they select; this service's own tokens need one per key. */
const KNOWN_HEADERS_MAX = 32;

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

/** Checks one key's signature and every claim this service relies on; throws on any failure. */
export type AccessTokenVerifier = (token: string) => Partial<AccessTokenClaims>;

/** fast-jwt takes keys as PEM text or a shared secret. */
function keyText(key: string | KeyObject): string {
  return typeof key === 'string' ? key : key.export({ format: 'pem', type: key.type === 'private' ? 'pkcs8' : 'spki' }).toString();
}

/**
 * Signs and verifies access tokens with fast-jwt, which covers every algorithm the keys may call
 * for (HS256, ES256, EdDSA, RS256, PS256) and works synchronously on the event loop, so a
 * verification never queues behind password hashes in libuv's thread pool.
 */
@Injectable()
export class TokenService {
  private readonly sign: (claims: { sub: string; sid: number; jti: string }) => string;
  private readonly verifiers: Map<string, AccessTokenVerifier>;
  private readonly verifiersByHeader = new Map<string, AccessTokenVerifier>();

  constructor(@Inject(authConfig.KEY) private readonly config: AuthConfig) {
    const { algorithm, signingKey, kid, verificationKeys } = config.keys;
    this.sign = createSigner({
      key: keyText(signingKey),
      algorithm,
      iss: config.issuer,
      aud: config.audience,
      expiresIn: config.accessTokenTtlSeconds * 1000,
      header: { alg: algorithm, typ: ACCESS_TOKEN_TYPE, ...(kid ? { kid } : {}) },
    });
    this.verifiers = new Map(
      [...verificationKeys].map(([id, key]) => [
        id,
        createVerifier({
          key: keyText(key),
          algorithms: [algorithm],
          allowedIss: config.issuer,
          allowedAud: config.audience,
          checkTyp: ACCESS_TOKEN_TYPE,
          // fast-jwt checks a claim's value only when it is present; these must be.
          requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti', 'sub', 'sid'],
          clockTolerance: CLOCK_TOLERANCE_MS,
          cache: VERIFIED_TOKEN_CACHE_SIZE,
        }) as AccessTokenVerifier,
      ]),
    );
  }

  /**
   * A header as this service writes them: the configured `alg`, `typ: at+jwt`, at most a `kid`,
   * encoded canonically. Only such headers are remembered, so padding a header with junk members
   * or re-encoding it cannot crowd out the real one: there are at most six (member orders) per key.
   */
  private isOwnHeaderForm(segment: string, header: Record<string, unknown>): boolean {
    return (
      header.alg === this.config.keys.algorithm &&
      header.typ === ACCESS_TOKEN_TYPE &&
      Object.keys(header).every((member) => member === 'alg' || member === 'typ' || member === 'kid') &&
      Buffer.from(JSON.stringify(header)).toString('base64url') === segment
    );
  }

  /** An access token for the session, paired with the session's newest refresh token. */
  async issue({ userId, sessionId, refreshToken }: SessionTokens): Promise<TokenDto> {
    return {
      access_token: this.sign({ sub: String(userId), sid: sessionId, jti: randomUUID() }),
      token_type: 'bearer',
      expires_in: this.config.accessTokenTtlSeconds,
      refresh_token: refreshToken,
    };
  }

  /**
   * The verifier for a token, chosen from its unverified header by a known `kid` alone;
   * `undefined` refuses the token before any signature check.
   */
  verifierFor(token: string): AccessTokenVerifier | undefined {
    // The choice depends on the header segment alone, so it is remembered for the few segments that select a key.
    const segment = token.split('.', 1)[0];
    const known = this.verifiersByHeader.get(segment);
    if (known) return known;
    const header = tokenHeader(token);
    const id = verificationKeyId(this.config.keys, header);
    const verify = id === undefined ? undefined : this.verifiers.get(id);
    if (verify && this.verifiersByHeader.size < KNOWN_HEADERS_MAX && this.isOwnHeaderForm(segment, header)) {
      this.verifiersByHeader.set(segment, verify);
    }
    return verify;
  }
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

/** Ids in tokens: positive 32-bit integers; `sub` in plain decimal without sign, padding or exponent. */
const MAX_ID = 2_147_483_647;

/**
 * Who an access token speaks for, once its signature, `typ`, `iss`, `aud` and `exp` are verified:
 * the token must carry a `jti` and numeric `iat` and `exp`, `sub` must be the decimal id of a
 * user and `sid` the id of a session.
 */
export function subjectFromClaims(claims: Partial<AccessTokenClaims>): { userId: number; sessionId: number } | undefined {
  if (typeof claims.jti !== 'string' || claims.jti === '') return undefined;
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return undefined;
  if (typeof claims.sub !== 'string' || !/^[1-9]\d{0,9}$/.test(claims.sub)) return undefined;
  const userId = Number(claims.sub);
  const sessionId = claims.sid;
  if (userId > MAX_ID || !Number.isSafeInteger(sessionId) || sessionId! < 1 || sessionId! > MAX_ID) return undefined;
  return { userId, sessionId: sessionId! };
}
