import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig, type AuthConfig } from '../../config/configuration.js';
import type { RequestWithSession } from '../../sessions/current-session.decorator.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import type { User } from '../../users/user.entity.js';
import { INACTIVE_ACCOUNT } from '../messages.js';
import { type AccessTokenClaims, subjectFromClaims, tokenHeader, verificationKey } from '../token.service.js';

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
      // Nothing a token says about keys (`jku`, `x5u`, `jwk`, an odd `kid`) is fetched or trusted.
      secretOrKeyProvider: (_request: unknown, rawToken: string, done: (error: Error | null, key?: string | Buffer) => void) => {
        const key = verificationKey(config.keys, tokenHeader(rawToken));
        if (key) done(null, key as string);
        else done(new Error('Unusable token header'));
      },
      algorithms: [config.keys.algorithm],
      issuer: config.issuer,
      audience: config.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: 5 },
    });
  }

  async validate(request: FastifyRequest & RequestWithSession, claims: Partial<AccessTokenClaims>): Promise<User> {
    const subject = subjectFromClaims(claims, tokenHeader(bearerToken(request) ?? '').typ);
    if (!subject) throw new UnauthorizedException('Invalid token');
    const { user, sessionLive } = await this.sessions.findUserForSession(subject.userId, subject.sessionId);
    if (!user) throw new UnauthorizedException('Invalid token');
    if (!user.isActive) throw new ForbiddenException(INACTIVE_ACCOUNT);
    if (!sessionLive) throw new UnauthorizedException('Session ended');
    request.sessionId = subject.sessionId;
    return user;
  }
}
