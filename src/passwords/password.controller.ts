import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { Consumes } from '../common/consumes.decorator.js';
import { Client } from '../common/client-info.decorator.js';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import type { ClientInfo } from '../common/client-ip.js';
import { User } from '../users/user.entity.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { PasswordsService } from './passwords.service.js';

@ApiTags('users')
@Controller('users/me')
export class PasswordController {
  constructor(private readonly passwords: PasswordsService) {}

  @Post('password')
  @Consumes('application/json')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Change my password; my other sessions end',
    description:
      'Sets a new password after checking the current one (limited as logins are). Every other session of the user ends; this one stays signed in. The new password must meet the policy and differ from the current one.',
    operationId: 'users_change_password',
  })
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiProblems(401, 403, 422, 429)
  async change(
    @CurrentUser() user: User,
    @CurrentSession() sessionId: number,
    @Client() client: ClientInfo,
    @Body() body: ChangePasswordDto,
  ): Promise<void> {
    await this.passwords.change(user, sessionId, body, client);
  }
}
