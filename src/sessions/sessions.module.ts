import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { AuditModule } from '../audit/audit.module.js';
import { User } from '../users/user.entity.js';
import { RefreshToken } from './refresh-token.entity.js';
import { SessionPurgeService } from './session-purge.service.js';
import { Session } from './session.entity.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsQueries } from './sessions.queries.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Session, RefreshToken, User, AuditEvent]), AuditModule],
  controllers: [SessionsController],
  providers: [SessionsService, SessionsQueries, SessionPurgeService],
  exports: [SessionsService],
})
export class SessionsModule {}
