import {
  type CallHandler,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  type NestInterceptor,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, mergeMap, type Observable, throwError } from 'rxjs';
import { coded } from '../common/problem-codes.js';
import { isFromOwnFrontend } from '../common/same-party.js';
import { validationFailed } from '../common/validation.js';
import { appConfig, type AppConfig } from '../config/app.config.js';
import {
  clearRefreshCookie,
  REFRESH_COOKIE_ROUTE,
  type RefreshCookieRoute,
  reliesOnRefreshCookie,
  setRefreshCookie,
  tokenMembersOf,
} from './refresh-cookie.js';
import { SessionsService } from './sessions.service.js';

export const CSRF_REFUSED = 'Cross-site request refused: send X-Requested-With from an allowed origin';

/**
 * The refresh cookie around a route marked `@RefreshTokenCookie()`. Before the handler: a request
 * that asks for the cookie or relies on it must come from one of the API's own frontends (see
 * `isFromOwnFrontend`), checked before anything is spent or started. After it: the answer's
 * refresh token moves into the cookie, for the rest of its session. A token that came from the
 * cookie always goes back into it, so a script can never turn the cookie into a readable token.
 */
@Injectable()
export class RefreshCookieInterceptor implements NestInterceptor {
  private readonly trusted: readonly string[];

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    @Inject(appConfig.KEY) config: AppConfig,
  ) {
    this.trusted = [...config.corsOrigins, ...(config.apiUrl ? [new URL(config.apiUrl).origin] : [])];
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const route = this.reflector.get<RefreshCookieRoute | undefined>(REFRESH_COOKIE_ROUTE, context.getHandler()) ?? {};
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const transport = tokenMembersOf(request).refresh_token_transport;
    const relies = route.reads === true && reliesOnRefreshCookie(request);
    if (relies && transport === 'body') {
      throw validationFailed([
        {
          field: 'refresh_token_transport',
          message: 'a refresh token sent as the cookie is answered as the cookie',
          code: 'invalid_choice',
        },
      ]);
    }
    const toCookie = relies || transport === 'cookie';
    if (toCookie && !isFromOwnFrontend(request, this.trusted)) throw new ForbiddenException(coded('csrf_refused', CSRF_REFUSED));
    if (!toCookie && !route.clears) return next.handle();
    return next.handle().pipe(
      mergeMap(async (answer: unknown) => {
        if (route.clears) clearRefreshCookie(reply);
        return toCookie ? this.moveToCookie(reply, answer) : answer;
      }),
      catchError((error: unknown) => {
        // A refused cookie stays refused: the browser may as well forget it.
        if (relies && error instanceof UnauthorizedException) clearRefreshCookie(reply);
        return throwError(() => error);
      }),
    );
  }

  private async moveToCookie(reply: FastifyReply, answer: unknown): Promise<unknown> {
    if (typeof answer !== 'object' || answer === null || !('refresh_token' in answer)) return answer;
    const { refresh_token: token, ...rest } = answer;
    if (typeof token === 'string') setRefreshCookie(reply, token, await this.sessions.secondsLeft(token));
    return rest;
  }
}
