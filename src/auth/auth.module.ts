import { Inject, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { passwordsConfig, type PasswordsConfig } from '../config/passwords.config.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { MailModule } from '../mail/mail.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { SecurityEventsModule } from '../security-events/security-events.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountMailService } from '../account/account-mail.service.js';
import { AccountToken } from '../account/account-token.entity.js';
import { AccountTokensService } from '../account/account-tokens.service.js';
import { AdminBootstrapService } from '../admin-bootstrap/admin-bootstrap.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { EmailVerificationController } from '../account/email-verification.controller.js';
import { EmailVerificationService } from '../account/email-verification.service.js';
import { JwksController } from './jwks.controller.js';
import { PasswordController } from '../passwords/password.controller.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { RolesGuard } from './guards/roles.guard.js';
import { PasswordCheckService } from '../passwords/password-check.service.js';
import { PasswordHasherService } from '../passwords/password-hasher.service.js';
import { setPasswordMinChars } from '../passwords/password-policy.js';
import { PasswordResetController } from '../account/password-reset.controller.js';
import { PasswordResetService } from '../account/password-reset.service.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { LocalStrategy } from './strategies/local.strategy.js';
import { TokenService } from './token.service.js';

@Module({
  imports: [
    UsersModule,
    SessionsModule,
    PassportModule,
    MailModule,
    IdempotencyModule,
    RateLimitModule,
    SecurityEventsModule,
    TypeOrmModule.forFeature([AccountToken]),
  ],
  controllers: [AuthController, PasswordController, PasswordResetController, EmailVerificationController, JwksController],
  providers: [
    AuthService,
    PasswordHasherService,
    PasswordCheckService,
    TokenService,
    AccountTokensService,
    AccountMailService,
    PasswordResetService,
    EmailVerificationService,
    AdminBootstrapService,
    LocalStrategy,
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AdminBootstrapService],
})
export class AuthModule {
  constructor(@Inject(passwordsConfig.KEY) config: PasswordsConfig) {
    setPasswordMinChars(config.minChars);
  }
}
