import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The refresh token's cookie. `__Secure-` makes browsers refuse it unless it is `Secure` and set
 * over HTTPS (or on localhost); `HttpOnly` keeps it from scripts, an injected one included;
 * `SameSite=Strict` keeps it off requests other sites start; `Path=/auth` sends it to the routes
 * that spend it and to no other.
 */
export const REFRESH_COOKIE = '__Secure-refresh_token';

/** How a route marked `@RefreshTokenCookie()` uses the cookie beyond issuing it (its route metadata). */
export interface RefreshCookieRoute {
  /** It takes the cookie as its credential when the request brings no other (`/auth/refresh`, `/auth/logout`). */
  reads?: boolean;
  /** A success drops the cookie (`/auth/logout`). */
  clears?: boolean;
}

export const REFRESH_COOKIE_ROUTE = 'sessions:refreshCookieRoute';

const ATTRIBUTES: CookieSerializeOptions = { httpOnly: true, secure: true, sameSite: 'strict', path: '/auth' };

/** The refresh token a request carries as the cookie, if any (parsed here: only these routes read cookies). */
export function refreshCookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  const value = request.server.parseCookie(header)[REFRESH_COOKIE];
  return value ? value : undefined;
}

type TokenMembers = { refresh_token?: unknown; refresh_token_transport?: unknown };

/** The members the cookie decisions read, from a body not yet validated (interceptors run before pipes). */
export function tokenMembersOf(request: FastifyRequest): TokenMembers {
  return typeof request.body === 'object' && request.body !== null ? request.body : {};
}

/**
 * Whether the request's credential is the refresh cookie: it sends the cookie and neither a
 * refresh token in its body nor an access token. Routes that read the cookie decide the same way.
 */
export function reliesOnRefreshCookie(request: FastifyRequest): boolean {
  return refreshCookieOf(request) !== undefined && tokenMembersOf(request).refresh_token === undefined && !request.headers.authorization;
}

/** Sets the cookie for the rest of its session: it disappears when the session would end anyway. */
export function setRefreshCookie(reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  reply.setCookie(REFRESH_COOKIE, token, { ...ATTRIBUTES, maxAge: maxAgeSeconds });
}

/** Tells the browser to drop the cookie (its attributes must match the ones it was set with). */
export function clearRefreshCookie(reply: FastifyReply): void {
  reply.clearCookie(REFRESH_COOKIE, ATTRIBUTES);
}
