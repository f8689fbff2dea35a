import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/decorators/roles.decorator.js';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { ApiListHeaders, setListHeaders } from '../common/list-page.js';
import { Role } from '../users/role.enum.js';
import { AuditEventsService } from './audit-events.service.js';
import { AuditEventOut, toAuditEventOut } from './dto/audit-event-out.dto.js';
import { ListAuditEventsQueryDto } from './dto/list-audit-events-query.dto.js';

@ApiTags('admin')
@ApiProblems(401, 422)
@Roles(Role.Admin)
@Controller('admin/audit-events')
export class AdminAuditEventsController {
  constructor(private readonly events: AuditEventsService) {}

  @Get()
  @ApiOperation({
    summary: 'The audit trail',
    description:
      "Every account's security events, newest first: sign-ins and their failures, password, email and second-factor changes, ended sessions, deletions and admins' actions (docs/audit.md lists the types). Filter by `user_id` (a deleted account's events stay), `type` and a time range (`since` inclusive, `until` exclusive). To page, follow `Link: <…>; rel=\"next\"` (or send `X-Next-Cursor` back as `cursor` with the same filters) until it is absent. Admins only.",
    operationId: 'admin_audit_events_list',
  })
  @ApiOkResponse({ type: [AuditEventOut], headers: ApiListHeaders })
  async list(@Query() query: ListAuditEventsQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<AuditEventOut[]> {
    const { events, page } = await this.events.list({ list: 'audit_events' }, query);
    setListHeaders(reply, page);
    return events.map(toAuditEventOut);
  }
}
