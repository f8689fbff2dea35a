import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ListCursors } from '../common/list-cursors.js';
import { SecurityEventsModule } from '../security-events/security-events.module.js';
import { AdminAuditEventsController } from './admin-audit-events.controller.js';
import { AuditEvent } from './audit-event.entity.js';
import { AuditEventsService } from './audit-events.service.js';
import { AuditPurgeService } from './audit-purge.service.js';
import { AuditService } from './audit.service.js';
import { MySecurityEventsController } from './my-security-events.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent]), SecurityEventsModule],
  controllers: [AdminAuditEventsController, MySecurityEventsController],
  providers: [AuditService, AuditEventsService, AuditPurgeService, ListCursors],
  exports: [AuditService],
})
export class AuditModule {}
