import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ExecutionContext, UnprocessableEntityException } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { LoginFormDto } from '../dto/login-form.dto.js';
import { LocalAuthGuard, LoginForm } from './local-auth.guard.js';

/** The function behind a parameter decorator, as Nest calls it for each request. */
function factoryOf(decorator: () => ParameterDecorator): (data: unknown, context: ExecutionContext) => unknown {
  class Handler {
    handle(@decorator() _form: unknown) {}
  }
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Handler, 'handle') as Record<
    string,
    { factory: (data: unknown, context: ExecutionContext) => unknown }
  >;
  return Object.values(args)[0].factory;
}

function contextFor(request: { body: unknown }): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => request }) } as ExecutionContext;
}

describe('LocalAuthGuard and @LoginForm()', () => {
  const loginForm = factoryOf(LoginForm);

  it('hands the handler the very form the guard validated, not a second copy', async () => {
    // The refresh grant passes the guard without passport, so no strategy is needed here.
    const request = { body: { grant_type: 'refresh_token', refresh_token: 'opaque' } as unknown };
    assert.equal(await new LocalAuthGuard().canActivate(contextFor(request)), true);
    assert.ok(request.body instanceof LoginFormDto);
    assert.equal(loginForm(undefined, contextFor(request)), request.body);
  });

  it('refuses an invalid form in the guard, with the field named', async () => {
    const request = { body: { grant_type: 'password', password: 'violet-kettle-harbour' } };
    await assert.rejects(new LocalAuthGuard().canActivate(contextFor(request)), (error: unknown) => {
      assert.ok(error instanceof UnprocessableEntityException);
      assert.match(JSON.stringify(error.getResponse()), /username/);
      return true;
    });
  });

  it('will not hand over a body the guard has not validated', () => {
    assert.throws(() => loginForm(undefined, contextFor({ body: { username: 'ada@example.com', password: 'x' } })), /LocalAuthGuard/);
  });
});
