import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { Client } from '../common/client-info.decorator.js';
import type { ClientInfo } from '../common/client-ip.js';
import { BIGINT_ID, IdParam } from '../common/parse-id.pipe.js';
import type { User } from '../users/user.entity.js';
import { CurrentSession } from './current-session.decorator.js';
import { SessionOut, toSessionOut } from './dto/session-out.dto.js';
import { RefreshCookie, RefreshTokenCookie } from './refresh-token-cookie.decorator.js';
import { SessionsService } from './sessions.service.js';

@ApiTags('sessions')
@ApiProblems(401, 403)
@Controller('auth')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post('logout')
  @RefreshTokenCookie({ reads: true, clears: true })
  @HttpCode(204)
  @ApiOperation({
    summary: 'End this session: its refresh token and this access token stop working',
    description:
      'Ends the session of the presented access token, or, without one, of the `__Secure-refresh_token` cookie: its refresh token and its access tokens stop working at once. Drops the cookie either way.',
    operationId: 'sessions_logout',
  })
  @ApiNoContentResponse({ description: 'Logged out' })
  async logout(
    @CurrentUser() user: User | undefined,
    @CurrentSession() sessionId: number | undefined,
    @RefreshCookie() cookie: string | undefined,
  ): Promise<void> {
    // No user: the guard let the cookie alone through (see `JwtAuthGuard`).
    if (user) await this.sessions.endCurrent(user.id, sessionId!);
    else await this.sessions.endByRefreshToken(cookie!);
  }

  @Post('logout-all')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End every session of the signed-in user, on every device',
    description: 'Ends every session of the caller, this one included; recorded among their security events (`session.revoked`).',
    operationId: 'sessions_logout_all',
  })
  @ApiNoContentResponse({ description: 'Logged out everywhere' })
  async logoutAll(@CurrentUser() user: User, @Client() client: ClientInfo): Promise<void> {
    await this.sessions.endAll(user.id, client);
  }

  @Get('sessions')
  @ApiOperation({
    summary: 'The signed-in user’s live sessions (devices)',
    description: "The caller's live sessions (devices), newest use first; `current` marks the one making the call.",
    operationId: 'sessions_list',
  })
  @ApiOkResponse({ type: [SessionOut] })
  async list(@CurrentUser() user: User, @CurrentSession() sessionId: number): Promise<SessionOut[]> {
    return (await this.sessions.listLive(user.id)).map((session) => toSessionOut(session, sessionId));
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End one of the signed-in user’s sessions',
    description:
      "Ends one of the caller's sessions (sign out a device), recorded among their security events (`session.revoked`). Another user's session is a 404.",
    operationId: 'sessions_delete',
  })
  @ApiNoContentResponse({ description: 'Ended' })
  @ApiProblems(404, 422)
  async end(
    @CurrentUser() user: User,
    @IdParam(BIGINT_ID, "The session's id, from GET /auth/sessions") id: number,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.sessions.end(user.id, id, client);
  }
}
