import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { RequestWithSession } from '../../sessions/current-session.decorator.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import type { User } from '../../users/user.entity.js';
import { INACTIVE_ACCOUNT } from '../messages.js';
import { type AccessTokenClaims, type AccessTokenVerifier, subjectFromClaims, TokenService } from '../token.service.js';

type VerifierCallback = (error: Error | null, claims?: Partial<AccessTokenClaims>) => void;

/**
 * passport-jwt hands the token to jsonwebtoken, which cannot verify EdDSA. Its `JwtVerifier` hook
 * is replaced so that the verifier `TokenService` chose (one pinned algorithm and key, fast-jwt)
 * does the work instead; the strategy's own options are then not used for verification.
 */
(
  Strategy as unknown as { JwtVerifier: (token: string, verify: AccessTokenVerifier, options: unknown, done: VerifierCallback) => void }
).JwtVerifier = (token, verify, _options, done) => {
  let claims: Partial<AccessTokenClaims>;
  try {
    claims = verify(token);
  } catch (error) {
    done(error as Error);
    return;
  }
  done(null, claims);
};

/**
 * Verifies the bearer token, then loads its user and checks its session in one query on every
 * request, so a deactivation, a logout or a detected token theft takes effect on the next request.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    tokens: TokenService,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      passReqToCallback: true,
      // Nothing a token says about keys (`jku`, `x5u`, `jwk`, an odd `kid`) is fetched or trusted.
      // What it hands on reaches the `JwtVerifier` above: a verifier, not key material.
      secretOrKeyProvider: (_request, rawToken: string, done) => {
        const verify = tokens.verifierFor(rawToken);
        if (verify) done(null, verify as unknown as string);
        else done(new Error('Unusable token header'));
      },
    });
  }

  async validate(request: FastifyRequest & RequestWithSession, claims: Partial<AccessTokenClaims>): Promise<User> {
    const subject = subjectFromClaims(claims);
    if (!subject) throw new UnauthorizedException('Invalid token');
    const { user, sessionLive } = await this.sessions.findUserForSession(subject.userId, subject.sessionId);
    if (!user) throw new UnauthorizedException('Invalid token');
    if (!user.isActive) throw new ForbiddenException(INACTIVE_ACCOUNT);
    if (!sessionLive) throw new UnauthorizedException('Session ended');
    request.sessionId = subject.sessionId;
    return user;
  }
}
