import { AuditModule } from '../audit/audit.module.js';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailModule } from '../mail/mail.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { SecurityEventsModule } from '../security-events/security-events.module.js';
import { User } from '../users/user.entity.js';
import { UsersModule } from '../users/users.module.js';
import { AdminMfaController } from './admin-mfa.controller.js';
import { MfaChallenge } from './mfa-challenge.entity.js';
import { MfaChallengePurgeService } from './mfa-challenge-purge.service.js';
import { MfaCodesService } from './mfa-codes.service.js';
import { MfaLoginService } from './mfa-login.service.js';
import { MfaMailService } from './mfa-mail.service.js';
import { MfaController } from './mfa.controller.js';
import { MfaQueries } from './mfa.queries.js';
import { MfaSettingsService } from './mfa-settings.service.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { TotpEnrolmentService } from './totp-enrolment.service.js';
import { TotpFactor } from './totp-factor.entity.js';

/** The second factor (TOTP and recovery codes): auth's login asks it for the second step; it issues no tokens. */
@Module({
  imports: [
    TypeOrmModule.forFeature([TotpFactor, RecoveryCode, MfaChallenge, User]),
    UsersModule,
    PasswordsModule,
    RateLimitModule,
    MailModule,
    SecurityEventsModule,
    AuditModule,
  ],
  controllers: [MfaController, AdminMfaController],
  providers: [
    MfaCodesService,
    MfaQueries,
    TotpEnrolmentService,
    MfaSettingsService,
    MfaLoginService,
    MfaMailService,
    MfaChallengePurgeService,
  ],
  exports: [MfaLoginService, MfaCodesService],
})
export class MfaModule {}
