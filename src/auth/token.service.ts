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

/** `sub` must be the decimal id of a user: a positive 32-bit integer without sign, padding or exponent. */
export function userIdFromClaims(claims: Partial<AccessTokenClaims>): number | undefined {
  if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string' || !/^[1-9]\d{0,9}$/.test(claims.sub)) {
    return undefined;
  }
  const id = Number(claims.sub);
  return id <= 2_147_483_647 ? id : undefined;
}
