import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import { Roles } from '../auth/decorators/roles.decorator.js';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { Client } from '../common/client-info.decorator.js';
import type { ClientInfo } from '../common/client-ip.js';
import { Consumes } from '../common/consumes.decorator.js';
import { ApiListHeaders, setListHeaders } from '../common/list-page.js';
import { IdParam, INT_ID } from '../common/parse-id.pipe.js';
import { ListUsersQueryDto } from './dto/list-users-query.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { toUserOut, UserOut } from './dto/user-out.dto.js';
import { Role } from './role.enum.js';
import { User } from './user.entity.js';
import { UsersService } from './users.service.js';

@ApiTags('admin')
@ApiProblems(401, 422)
@Roles(Role.Admin)
@Controller('admin/users')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({
    summary: 'List users',
    description:
      'Every account, a page at a time, by id; `q` matches part of the email. To page, follow `Link: <…>; rel="next"` (or send `X-Next-Cursor` back as `cursor` with the same `q`, `role` and `is_active`) until it is absent. `offset` is for short jumps only. `X-Total-Count` holds how many match, or `X-Total-Count-Exceeds` says there are too many to count. Admins only.',
    operationId: 'admin_users_list',
  })
  @ApiOkResponse({ type: [UserOut], headers: ApiListHeaders })
  async list(@Query() query: ListUsersQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<UserOut[]> {
    const { users, page } = await this.users.list(query);
    setListHeaders(reply, page);
    return users.map(toUserOut);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get a user',
    description: 'One account by id. Admins only.',
    operationId: 'admin_users_get',
  })
  @ApiOkResponse({ type: UserOut })
  @ApiProblems(404)
  async get(@IdParam(INT_ID, "The account's id") id: number): Promise<UserOut> {
    return toUserOut(await this.users.getById(id));
  }

  @Patch(':id')
  @Consumes('application/json')
  @ApiOperation({
    summary: 'Change a user’s role or activation',
    description:
      "Changes the role or the activation of an account; the user's sessions end with either change. The last active admin can be neither demoted nor deactivated (409). Audited (`admin.user_updated`). Admins only.",
    operationId: 'admin_users_update',
  })
  @ApiOkResponse({ type: UserOut })
  @ApiProblems(404, 409)
  async update(
    @CurrentUser() admin: User,
    @Client() client: ClientInfo,
    @IdParam(INT_ID, "The account's id") id: number,
    @Body() body: UpdateUserDto,
  ): Promise<UserOut> {
    return toUserOut(await this.users.update(id, body, { id: admin.id, client }));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a user and their todos',
    description:
      'Deletes an account with its todos and sessions. The last active admin cannot be deleted (409). Audited (`admin.user_deleted`): the account’s events stay, under its id. Admins only.',
    operationId: 'admin_users_delete',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(404, 409)
  async remove(@CurrentUser() admin: User, @Client() client: ClientInfo, @IdParam(INT_ID, "The account's id") id: number): Promise<void> {
    await this.users.remove(id, { id: admin.id, client });
  }

  @Post(':id/sessions/revoke')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End every session of a user',
    description:
      "Ends every session of the account at once, on every device: its refresh tokens and access tokens stop working; the user can sign in again. Audited (`admin.sessions_revoked`), and shown among the user's security events. Admins only.",
    operationId: 'admin_users_revoke_sessions',
  })
  @ApiNoContentResponse({ description: 'Every session ended' })
  @ApiProblems(404)
  async revokeSessions(
    @CurrentUser() admin: User,
    @Client() client: ClientInfo,
    @IdParam(INT_ID, "The account's id") id: number,
  ): Promise<void> {
    await this.users.endAllSessions(id, { id: admin.id, client });
  }
}
