import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig, type AuthConfig } from '../../config/configuration.js';
import type { RequestWithSession } from '../../sessions/current-session.decorator.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import type { User } from '../../users/user.entity.js';
import { INACTIVE_ACCOUNT } from '../messages.js';
import { type AccessTokenClaims, JWT_ALGORITHM, subjectFromClaims, tokenType } from '../token.service.js';

const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * Verifies the bearer token, then loads its user and checks its session in one query on every
 * request, so a deactivation, a logout or a detected token theft takes effect on the next request.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: AuthConfig,
    private readonly sessions: SessionsService,
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

  async validate(request: FastifyRequest & RequestWithSession, claims: Partial<AccessTokenClaims>): Promise<User> {
    const subject = subjectFromClaims(claims, tokenType(bearerToken(request) ?? ''));
    if (!subject) throw new UnauthorizedException('Invalid token');
    const { user, sessionLive } = await this.sessions.findUserForSession(subject.userId, subject.sessionId);
    if (!user) throw new UnauthorizedException('Invalid token');
    if (!user.isActive) throw new ForbiddenException(INACTIVE_ACCOUNT);
    if (!sessionLive) throw new UnauthorizedException('Session ended');
    request.sessionId = subject.sessionId;
    return user;
  }
}
