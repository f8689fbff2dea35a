import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '../../users/role.enum.js';
import type { User } from '../../users/user.entity.js';
import { ROLES_KEY } from '../decorators/roles.decorator.js';
import { coded } from '../../common/problem-codes.js';

/** Global, after `JwtAuthGuard`: enforces `@Roles()` against the role in the database row. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!roles?.length) return true;
    const user = context.switchToHttp().getRequest<{ user?: User }>().user;
    if (user && roles.includes(user.role)) return true;
    throw new ForbiddenException(coded('role_required', `${roles.join(' or ')} permission required`));
  }
}
