import { MfaModule } from '../mfa/mfa.module.js';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { MailModule } from '../mail/mail.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { SecurityEventsModule } from '../security-events/security-events.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountDeletionController } from './account-deletion.controller.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AccountMailService } from './account-mail.service.js';
import { AccountToken } from './account-token.entity.js';
import { AccountTokensService } from './account-tokens.service.js';
import { AccountQueries } from './account.queries.js';
import { EmailVerificationController } from './email-verification.controller.js';
import { EmailVerificationService } from './email-verification.service.js';
import { PasswordResetController } from './password-reset.controller.js';
import { PasswordResetService } from './password-reset.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([AccountToken]),
    UsersModule,
    PasswordsModule,
    MfaModule,
    MailModule,
    RateLimitModule,
    SecurityEventsModule,
    AuditModule,
  ],
  controllers: [PasswordResetController, EmailVerificationController, AccountDeletionController],
  providers: [
    AccountTokensService,
    AccountQueries,
    AccountMailService,
    PasswordResetService,
    EmailVerificationService,
    AccountDeletionService,
  ],
  exports: [EmailVerificationService],
})
export class AccountModule {}
