import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { ApiListHeaders, setListHeaders } from '../common/list-page.js';
import { AuditEventsService } from './audit-events.service.js';
import { AuditEventOut, toOwnEventOut } from './dto/audit-event-out.dto.js';
import { ListSecurityEventsQueryDto } from './dto/list-audit-events-query.dto.js';

/** The signed-in account, of which this module needs only the id (users/ sits above audit/). */
interface Caller {
  id: number;
}

@ApiTags('users')
@ApiProblems(401, 403, 422)
@Controller('users/me/security-events')
export class MySecurityEventsController {
  constructor(private readonly events: AuditEventsService) {}

  @Get()
  @ApiOperation({
    summary: 'My security log',
    description:
      "The caller's own security events, newest first: sign-ins and failed attempts, throttling, password, email and second-factor changes, ended sessions, and what admins did to the account (`actor_id` names them; their `ip` and `user_agent` are not shown). Filters and paging as `GET /admin/audit-events`.",
    operationId: 'users_security_events',
  })
  @ApiOkResponse({ type: [AuditEventOut], headers: ApiListHeaders })
  async list(
    @CurrentUser() user: Caller,
    @Query() query: ListSecurityEventsQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuditEventOut[]> {
    const { events, page } = await this.events.list({ list: 'security_events', userId: user.id }, query);
    setListHeaders(reply, page);
    return events.map(toOwnEventOut);
  }
}
