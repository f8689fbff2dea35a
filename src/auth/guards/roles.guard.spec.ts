import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ExecutionContext, ForbiddenException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Role } from '../../users/role.enum.js';
import { Roles } from '../decorators/roles.decorator.js';
import { RolesGuard } from './roles.guard.js';

class OpenController {
  list() {}

  @Roles(Role.Admin)
  purge() {}

  @Roles()
  unrestricted() {}

  @Roles(Role.User, Role.Admin)
  either() {}
}

@Roles(Role.Admin)
class AdminController {
  list() {}

  @Roles(Role.User)
  own() {}
}

function contextFor(controller: { prototype: object }, handler: string, user?: { role: Role }): ExecutionContext {
  const context = {
    getHandler: () => (controller.prototype as Record<string, unknown>)[handler],
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => ({ user }) }),
  };
  return context as unknown as ExecutionContext;
}

const guard = new RolesGuard(new Reflector());
const asUser = { role: Role.User };
const asAdmin = { role: Role.Admin };

function assertForbidden(context: ExecutionContext, message: string) {
  assert.throws(
    () => guard.canActivate(context),
    (error: unknown) => error instanceof ForbiddenException && error.message === message,
  );
}

describe('RolesGuard', () => {
  it('allows a route without @Roles, even without a user', () => {
    assert.equal(guard.canActivate(contextFor(OpenController, 'list')), true);
  });

  it('allows a route with an empty @Roles()', () => {
    assert.equal(guard.canActivate(contextFor(OpenController, 'unrestricted', asUser)), true);
  });

  it('refuses a user on an admin route', () => {
    assertForbidden(contextFor(OpenController, 'purge', asUser), 'admin permission required');
  });

  it('refuses an admin route when no user was loaded', () => {
    assertForbidden(contextFor(OpenController, 'purge'), 'admin permission required');
  });

  it('allows an admin on an admin route', () => {
    assert.equal(guard.canActivate(contextFor(OpenController, 'purge', asAdmin)), true);
  });

  it('allows any of several roles and names them all when refusing', () => {
    assert.equal(guard.canActivate(contextFor(OpenController, 'either', asUser)), true);
    assert.equal(guard.canActivate(contextFor(OpenController, 'either', asAdmin)), true);
    assertForbidden(contextFor(OpenController, 'either'), 'user or admin permission required');
  });

  it('applies class metadata to a handler without its own', () => {
    assertForbidden(contextFor(AdminController, 'list', asUser), 'admin permission required');
    assert.equal(guard.canActivate(contextFor(AdminController, 'list', asAdmin)), true);
  });

  it('lets handler metadata override class metadata', () => {
    assert.equal(guard.canActivate(contextFor(AdminController, 'own', asUser)), true);
    assertForbidden(contextFor(AdminController, 'own', asAdmin), 'user permission required');
  });
});
