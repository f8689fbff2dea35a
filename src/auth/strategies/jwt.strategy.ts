import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig, type AuthConfig } from '../../config/auth.config.js';
import type { RequestWithSession } from '../../sessions/current-session.decorator.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import type { User } from '../../users/user.entity.js';
import { accessTokenVerifyOptions, type AccessTokenClaims, subjectFromClaims } from '../access-token.js';
import { INACTIVE_ACCOUNT } from '../messages.js';
import { TokenService } from '../token.service.js';
import { coded } from '../../common/problem-codes.js';

/**
 * Verifies the bearer token, then loads its user and checks its session in one query on every
 * request, so a deactivation, a logout or a detected token theft takes effect on the next request.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    tokens: TokenService,
    @Inject(authConfig.KEY) config: AuthConfig,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      passReqToCallback: true,
      ...accessTokenVerifyOptions(config),
      secretOrKeyProvider: (_request, rawToken: string, done) => {
        const key = tokens.verificationKeyFor(rawToken);
        // An imported key, handed on to jsonwebtoken as is (it takes a KeyObject; the strategy's
        // typings only name PEM text and buffers, which jsonwebtoken would parse on every request).
        if (key) done(null, key as unknown as Buffer);
        else done(new Error('Unusable token header'));
      },
    });
  }

  async validate(request: FastifyRequest & RequestWithSession, claims: Partial<AccessTokenClaims>): Promise<User> {
    const subject = subjectFromClaims(claims);
    if (!subject) throw new UnauthorizedException(coded('invalid_token', 'Invalid token'));
    const { user, sessionLive } = await this.sessions.findUserForSession(subject.userId, subject.sessionId);
    if (!user) throw new UnauthorizedException(coded('invalid_token', 'Invalid token'));
    if (!user.isActive) throw new ForbiddenException(coded('inactive_account', INACTIVE_ACCOUNT));
    if (!sessionLive) throw new UnauthorizedException(coded('session_ended', 'Session ended'));
    request.sessionId = subject.sessionId;
    return user;
  }
}
