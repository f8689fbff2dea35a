import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ListCursors } from '../common/list-cursors.js';
import { SecurityEventsModule } from '../security-events/security-events.module.js';
import { AdminUsersController } from './admin-users.controller.js';
import { User } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User]), SecurityEventsModule],
  controllers: [UsersController, AdminUsersController],
  providers: [UsersService, ListCursors],
  exports: [UsersService],
})
export class UsersModule {}
