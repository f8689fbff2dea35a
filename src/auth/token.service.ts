import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type JwtModuleOptions, JwtService } from '@nestjs/jwt';
import { authConfig, type AuthConfig } from '../config/configuration.js';
import type { User } from '../users/user.entity.js';
import type { TokenDto } from './dto/token.dto.js';

export const JWT_ALGORITHM = 'HS256';
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** How `AuthModule` configures `JwtService`: HS256 pinned, issuer and audience set and checked. */
export function jwtModuleOptions(config: AuthConfig): JwtModuleOptions {
  return {
    secret: config.jwtSecret,
    signOptions: {
      algorithm: JWT_ALGORITHM,
      issuer: config.issuer,
      audience: config.audience,
      header: { alg: JWT_ALGORITHM, typ: ACCESS_TOKEN_TYPE },
    },
    verifyOptions: { algorithms: [JWT_ALGORITHM], issuer: config.issuer, audience: config.audience },
  };
}

/** The claims this service puts in, and requires of, an access token. */
export interface AccessTokenClaims {
  sub: string;
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

  async issue(user: Pick<User, 'id'>): Promise<TokenDto> {
    const accessToken = await this.jwt.signAsync(
      {},
      {
        subject: String(user.id),
        jwtid: randomUUID(),
        expiresIn: this.config.accessTokenTtlSeconds,
      },
    );
    return { access_token: accessToken, token_type: 'bearer', expires_in: this.config.accessTokenTtlSeconds };
  }
}

/** The `typ` from a token's header, which the signature already covers. */
export function tokenType(token: string): unknown {
  try {
    return (JSON.parse(Buffer.from(token.split('.', 1)[0], 'base64url').toString('utf8')) as { typ?: unknown }).typ;
  } catch {
    return undefined;
  }
}

/**
 * The user id an access token speaks for, once its signature, `iss`, `aud` and `exp` are
 * verified: the token must be ours (`typ: at+jwt`, a `jti`, numeric `iat` and `exp`), and `sub`
 * the decimal id of a user, a positive 32-bit integer without sign, padding or exponent.
 */
export function userIdFromClaims(claims: Partial<AccessTokenClaims>, typ: unknown): number | undefined {
  if (typ !== ACCESS_TOKEN_TYPE || typeof claims.jti !== 'string' || claims.jti === '') return undefined;
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return undefined;
  if (typeof claims.sub !== 'string' || !/^[1-9]\d{0,9}$/.test(claims.sub)) return undefined;
  const id = Number(claims.sub);
  return id <= 2_147_483_647 ? id : undefined;
}
