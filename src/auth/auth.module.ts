import { Inject, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { passwordsConfig, type PasswordsConfig } from '../config/passwords.config.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { MailModule } from '../mail/mail.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { SecurityEventsModule } from '../security-events/security-events.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { jwtModuleOptions } from './access-token.js';
import { AccountMailService } from './account-mail.service.js';
import { AccountToken } from './account-token.entity.js';
import { AccountTokensService } from './account-tokens.service.js';
import { AdminBootstrapService } from './admin-bootstrap.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { EmailVerificationController } from './email-verification.controller.js';
import { EmailVerificationService } from './email-verification.service.js';
import { JwksController } from './jwks.controller.js';
import { PasswordController } from './password.controller.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { RolesGuard } from './guards/roles.guard.js';
import { PasswordCheckService } from './password-check.service.js';
import { PasswordHasherService } from './password-hasher.service.js';
import { setPasswordMinChars } from './password-policy.js';
import { PasswordResetController } from './password-reset.controller.js';
import { PasswordResetService } from './password-reset.service.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { LocalStrategy } from './strategies/local.strategy.js';
import { TokenService } from './token.service.js';

@Module({
  imports: [
    UsersModule,
    SessionsModule,
    PassportModule,
    JwtModule.registerAsync({ inject: [authConfig.KEY], useFactory: (config: AuthConfig) => jwtModuleOptions(config) }),
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
