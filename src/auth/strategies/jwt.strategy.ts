import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig, type AuthConfig } from '../../config/configuration.js';
import { UsersService } from '../../users/users.service.js';
import type { User } from '../../users/user.entity.js';
import { type AccessTokenClaims, JWT_ALGORITHM, tokenType, userIdFromClaims } from '../token.service.js';

const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/** Verifies the bearer token and loads its user on every request, so revocation is immediate. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: AuthConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: bearerToken,
      passReqToCallback: true,
      secretOrKey: config.jwtSecret,
      algorithms: [JWT_ALGORITHM],
      issuer: config.issuer,
      audience: config.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: 5 },
    });
  }

  async validate(request: FastifyRequest, claims: Partial<AccessTokenClaims>): Promise<User> {
    const id = userIdFromClaims(claims, tokenType(bearerToken(request) ?? ''));
    const user = id === undefined ? null : await this.users.findById(id);
    if (!user) throw new UnauthorizedException('Invalid token');
    if (!user.isActive) throw new ForbiddenException('Inactive account');
    return user;
  }
}
