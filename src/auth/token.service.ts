import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type JwtModuleOptions, JwtService } from '@nestjs/jwt';
import type { KeyObject } from 'node:crypto';
import { authConfig, type AuthConfig } from '../config/configuration.js';
import type { SigningKeys } from '../config/signing-keys.js';
import type { SessionTokens } from '../sessions/sessions.service.js';
import type { TokenDto } from './dto/token.dto.js';

export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** How `AuthModule` configures `JwtService`: one algorithm, issuer and audience set and checked. */
export function jwtModuleOptions(config: AuthConfig): JwtModuleOptions {
  const { algorithm, signingKey, kid } = config.keys;
  return {
    ...(typeof signingKey === 'string' ? { secret: signingKey } : { privateKey: signingKey }),
    signOptions: {
      algorithm,
      issuer: config.issuer,
      audience: config.audience,
      header: { alg: algorithm, typ: ACCESS_TOKEN_TYPE, ...(kid ? { kid } : {}) },
    },
  };
}

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

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {}

  /** An access token for the session, paired with the session's newest refresh token. */
  async issue({ userId, sessionId, refreshToken }: SessionTokens): Promise<TokenDto> {
    const accessToken = await this.jwt.signAsync(
      { sid: sessionId },
      {
        subject: String(userId),
        jwtid: randomUUID(),
        expiresIn: this.config.accessTokenTtlSeconds,
      },
    );
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: this.config.accessTokenTtlSeconds,
      refresh_token: refreshToken,
    };
  }
}

/** Header members that would let a token name or carry its own key: never honoured, always refused. */
const KEY_BEARING_MEMBERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit'];

/**
 * The key to verify a token with, chosen only by a known `kid` (no `kid` at all in HS256 mode);
 * `undefined` refuses the token before its signature is checked.
 */
export function verificationKey(keys: SigningKeys, header: Record<string, unknown>): string | KeyObject | undefined {
  if (KEY_BEARING_MEMBERS.some((member) => member in header)) return undefined;
  if (keys.kid === undefined) return header.kid === undefined ? keys.verificationKeys.get('') : undefined;
  return typeof header.kid === 'string' && /^[\w-]{1,64}$/.test(header.kid) ? keys.verificationKeys.get(header.kid) : undefined;
}

/** A token's header, unverified: read only to pick the key, and `typ` once the signature holds. */
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
 * Who an access token speaks for, once its signature, `iss`, `aud` and `exp` are verified: the
 * token must be ours (`typ: at+jwt`, a `jti`, numeric `iat` and `exp`), `sub` the decimal id of
 * a user and `sid` the id of a session.
 */
export function subjectFromClaims(
  claims: Partial<AccessTokenClaims>,
  typ: unknown,
): { userId: number; sessionId: number } | undefined {
  if (typ !== ACCESS_TOKEN_TYPE || typeof claims.jti !== 'string' || claims.jti === '') return undefined;
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return undefined;
  if (typeof claims.sub !== 'string' || !/^[1-9]\d{0,9}$/.test(claims.sub)) return undefined;
  const userId = Number(claims.sub);
  const sessionId = claims.sid;
  if (userId > MAX_ID || !Number.isSafeInteger(sessionId) || sessionId! < 1 || sessionId! > MAX_ID) return undefined;
  return { userId, sessionId: sessionId! };
}
