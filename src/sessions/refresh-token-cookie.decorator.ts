import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata, UseInterceptors } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiExtension, ApiHeader } from '@nestjs/swagger';
import { REFRESH_COOKIE_ROUTE, type RefreshCookieRoute, refreshCookieOf } from './refresh-cookie.js';
import { RefreshCookieInterceptor } from './refresh-cookie.interceptor.js';

/** Marks an operation in the OpenAPI document; the document builder adds the cookie to its security. */
export const REFRESH_COOKIE_OPERATION_EXTENSION = 'x-refresh-cookie';

/**
 * A route that hands out a token pair, or reads the refresh cookie: a request's
 * `refresh_token_transport=cookie` (its DTO extends `RefreshTokenTransportField`) then gets the
 * refresh token as the `__Secure-refresh_token` cookie instead of in the body, and a request that
 * asks for the cookie or relies on it must pass the cross-site check, else 403 `csrf_refused`
 * (see `RefreshCookieInterceptor`). Documents the header the check wants.
 */
export const RefreshTokenCookie = (route: RefreshCookieRoute = {}) =>
  applyDecorators(
    SetMetadata(REFRESH_COOKIE_ROUTE, route),
    UseInterceptors(RefreshCookieInterceptor),
    ApiHeader({
      name: 'X-Requested-With',
      required: false,
      description:
        "Any value. Required, with an `Origin` listed in `CORS_ORIGINS` (or the API's own), when the request asks for the refresh-token cookie or relies on it; else 403 `csrf_refused`.",
      schema: { type: 'string', example: 'fetch' },
    }),
    ...(route.reads ? [ApiExtension(REFRESH_COOKIE_OPERATION_EXTENSION, true)] : []),
  );

/** The refresh token the request carries as the cookie, if any: for a route marked `@RefreshTokenCookie({ reads: true })`. */
export const RefreshCookie = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined =>
  refreshCookieOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
