import { Inject, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { passwordsConfig, type PasswordsConfig } from '../config/passwords.config.js';
import { MailModule } from '../mail/mail.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { SecurityEventsModule } from '../security-events/security-events.module.js';
import { User } from '../users/user.entity.js';
import { UsersModule } from '../users/users.module.js';
import { PasswordCheckService } from './password-check.service.js';
import { PasswordHasherService } from './password-hasher.service.js';
import { setPasswordMinChars } from './password-policy.js';
import { PasswordController } from './password.controller.js';
import { PasswordsService } from './passwords.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User]), UsersModule, MailModule, RateLimitModule, SecurityEventsModule, AuditModule],
  controllers: [PasswordController],
  providers: [PasswordHasherService, PasswordCheckService, PasswordsService],
  exports: [PasswordHasherService, PasswordCheckService, PasswordsService],
})
export class PasswordsModule {
  constructor(@Inject(passwordsConfig.KEY) config: PasswordsConfig) {
    setPasswordMinChars(config.minChars);
  }
}
