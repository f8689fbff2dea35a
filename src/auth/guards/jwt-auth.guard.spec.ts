import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import jwt from 'jsonwebtoken';
import { RefreshTokenCookie } from '../../sessions/refresh-token-cookie.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';

class MixedController {
  @Public()
  health() {}

  me() {}
}

@Public()
class PublicController {
  docs() {}
}

class CookieController {
  @RefreshTokenCookie({ reads: true, clears: true })
  logout() {}
}

const COOKIE = { cookie: '__Secure-refresh_token=abc' };
// What @fastify/cookie decorates the server with.
const server = { parseCookie: (header: string) => Object.fromEntries(header.split('; ').map((pair) => pair.split('='))) };

// No passport strategy is registered in this process, so reaching passport would fail.
function contextFor(controller: { prototype: object }, handler: string, headers: Record<string, string> = {}): ExecutionContext {
  const request = { headers, server };
  const context = {
    getHandler: () => (controller.prototype as Record<string, unknown>)[handler],
    getClass: () => controller,
    getArgs: () => [request, {}],
    getArgByIndex: (index: number) => [request, {}][index],
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}), getNext: () => () => {} }),
  };
  return context as unknown as ExecutionContext;
}

const guard = new JwtAuthGuard(new Reflector());

function assertUnauthorized(info: unknown, message: string) {
  assert.throws(
    () => guard.handleRequest(null, false, info),
    (error: unknown) => error instanceof UnauthorizedException && error.message === message,
  );
}

describe('JwtAuthGuard', () => {
  describe('canActivate', () => {
    it('lets a @Public() handler through without passport', () => {
      assert.equal(guard.canActivate(contextFor(MixedController, 'health')), true);
    });

    it('lets every handler of a @Public() class through', () => {
      assert.equal(guard.canActivate(contextFor(PublicController, 'docs')), true);
    });

    it('hands any other handler to passport', async () => {
      await assert.rejects(Promise.resolve(guard.canActivate(contextFor(MixedController, 'me'))), /Unknown authentication strategy "jwt"/);
      await assert.rejects(
        Promise.resolve(guard.canActivate(contextFor(MixedController, 'me', COOKIE))),
        /Unknown authentication strategy/,
      );
    });

    it('lets a request whose only credential is the refresh cookie through to a route that reads it', async () => {
      assert.equal(guard.canActivate(contextFor(CookieController, 'logout', COOKIE)), true);
      const unknown = /Unknown authentication strategy "jwt"/;
      await assert.rejects(Promise.resolve(guard.canActivate(contextFor(CookieController, 'logout'))), unknown, 'no cookie');
      const bearer = { ...COOKIE, authorization: 'Bearer x' };
      await assert.rejects(
        Promise.resolve(guard.canActivate(contextFor(CookieController, 'logout', bearer))),
        unknown,
        'a bearer token decides',
      );
    });
  });

  describe('handleRequest', () => {
    it('rethrows the strategy error itself', () => {
      const failure = new Error('database unavailable');
      assert.throws(
        () => guard.handleRequest(failure, { id: 1 }, undefined),
        (error: unknown) => error === failure,
      );
    });

    it('returns the user', () => {
      const user = { id: 7 };
      assert.equal(guard.handleRequest(null, user, undefined), user);
    });

    it('reports a missing token as not authenticated', () => {
      assertUnauthorized(new Error('No auth token'), 'Not authenticated');
    });

    it('reports a failure without any info as not authenticated', () => {
      assertUnauthorized(undefined, 'Not authenticated');
    });

    it('reports an expired token', () => {
      assertUnauthorized(new jwt.TokenExpiredError('jwt expired', new Date()), 'Token expired');
    });

    it('reports any other token problem as invalid', () => {
      assertUnauthorized(new jwt.JsonWebTokenError('invalid signature'), 'Invalid token');
      assertUnauthorized(new jwt.NotBeforeError('jwt not active', new Date()), 'Invalid token');
      assertUnauthorized(new Error('jwt malformed'), 'Invalid token');
    });
  });
});
