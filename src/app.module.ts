import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AccountModule } from './account/account.module.js';
import { AdminBootstrapModule } from './admin-bootstrap/admin-bootstrap.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ConsumesGuard } from './common/consumes.decorator.js';
import { ProblemDetailsFilter } from './common/problem-details.filter.js';
import { createValidationPipe } from './common/validation.js';
import { accountConfig } from './config/account.config.js';
import { appConfig } from './config/app.config.js';
import { auditConfig } from './config/audit.config.js';
import { authConfig } from './config/auth.config.js';
import { databaseConfig } from './config/database.config.js';
import { mailConfig } from './config/mail.config.js';
import { metricsConfig } from './config/metrics.config.js';
import { mfaConfig } from './config/mfa.config.js';
import { passwordsConfig } from './config/passwords.config.js';
import { rateLimitConfig } from './config/rate-limit.config.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PasswordsModule } from './passwords/passwords.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { TodosModule } from './todos/todos.module.js';
import { UsersModule } from './users/users.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      load: [
        appConfig,
        databaseConfig,
        authConfig,
        passwordsConfig,
        rateLimitConfig,
        mailConfig,
        accountConfig,
        metricsConfig,
        auditConfig,
        mfaConfig,
      ],
    }),
    ScheduleModule.forRoot(),
    DatabaseModule,
    RateLimitModule,
    UsersModule,
    AuthModule,
    PasswordsModule,
    AccountModule,
    AdminBootstrapModule,
    TodosModule,
    AuditModule,
    HealthModule,
    MetricsModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_GUARD, useClass: ConsumesGuard },
  ],
})
export class AppModule {}
