import { Module } from '@nestjs/common';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { SecurityEventsModule } from '../security-events/security-events.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminBootstrapService } from './admin-bootstrap.service.js';

@Module({
  imports: [UsersModule, PasswordsModule, SecurityEventsModule],
  providers: [AdminBootstrapService],
  exports: [AdminBootstrapService],
})
export class AdminBootstrapModule {}
