import { type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator.js';
import { coded } from '../../common/problem-codes.js';
import { REFRESH_COOKIE_ROUTE, type RefreshCookieRoute, reliesOnRefreshCookie } from '../../sessions/refresh-cookie.js';

/** Global: every route needs a valid bearer token unless it is marked `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]);
    return isPublic || this.signedByRefreshCookie(context) ? true : super.canActivate(context);
  }

  /**
   * A route that reads the refresh cookie (`/auth/logout`) takes a request whose only credential is
   * that cookie without a bearer token: the route's interceptor checks where it comes from, and its
   * handler spends or ends the cookie's session.
   */
  private signedByRefreshCookie(context: ExecutionContext): boolean {
    const route = this.reflector.get<RefreshCookieRoute | undefined>(REFRESH_COOKIE_ROUTE, context.getHandler());
    return route?.reads === true && reliesOnRefreshCookie(context.switchToHttp().getRequest());
  }

  override handleRequest<TUser>(err: unknown, user: TUser | false, info: unknown): TUser {
    if (err) throw err;
    if (user) return user;
    const reason = info instanceof Error ? info : undefined;
    if (!reason || reason.message === 'No auth token')
      throw new UnauthorizedException(coded('authentication_required', 'Not authenticated'));
    // jsonwebtoken's error for a token past `exp` (by name: the class is jsonwebtoken's, behind passport-jwt).
    if (reason.name === 'TokenExpiredError') throw new UnauthorizedException(coded('token_expired', 'Token expired'));
    throw new UnauthorizedException(coded('invalid_token', 'Invalid token'));
  }
}
