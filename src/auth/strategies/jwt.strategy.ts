import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig, type AuthConfig } from '../../config/configuration.js';
import { UsersService } from '../../users/users.service.js';
import type { User } from '../../users/user.entity.js';
import { type AccessTokenClaims, JWT_ALGORITHM, userIdFromClaims } from '../token.service.js';

/** Verifies the bearer token and loads its user on every request, so revocation is immediate. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: AuthConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: [JWT_ALGORITHM],
      issuer: config.issuer,
      audience: config.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: 5 },
    });
  }

  async validate(claims: Partial<AccessTokenClaims>): Promise<User> {
    const id = userIdFromClaims(claims);
    const user = id === undefined ? null : await this.users.findById(id);
    if (!user) throw new UnauthorizedException('Invalid token');
    if (!user.isActive) throw new ForbiddenException('Inactive account');
    return user;
  }
}
