import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiProblems } from '../../common/api-problems.decorator.js';
import type { Role } from '../../users/role.enum.js';

export const ROLES_KEY = 'auth:roles';

/** Narrows a route or controller to users holding one of `roles` (checked against the database row). */
export const Roles = (...roles: Role[]) => applyDecorators(SetMetadata(ROLES_KEY, roles), ApiProblems(403));
