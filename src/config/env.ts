import { toAccountConfig, AccountVariables } from './account.config.js';
import { toAppConfig, AppVariables } from './app.config.js';
import { toAuditConfig, AuditVariables } from './audit.config.js';
import { toAuthSettings, AuthVariables } from './auth.config.js';
import { toDatabaseConfig, DatabaseVariables } from './database.config.js';
import { toLoggingConfig, LoggingVariables } from './logging.config.js';
import { toMailConfig, MailVariables } from './mail.config.js';
import { toMetricsConfig, MetricsVariables } from './metrics.config.js';
import { toMfaSettings, MfaVariables } from './mfa.config.js';
import { toPasswordsConfig, PasswordsVariables } from './passwords.config.js';
import { toRateLimitConfig, RateLimitVariables } from './rate-limit.config.js';
import { readVariables, RuntimeVariables, toRuntime } from './variables.js';

/**
 * The whole environment validated at once, so that a refusal names every variable that is wrong,
 * not just those of the first config namespace Nest happens to build. The entry points (server,
 * CLI, TypeORM's data source) call it before anything else; each `<area>.config.ts` then derives
 * its namespace with the same mapper. The signing keys are not parsed here but in `authConfig`, nor the MFA keys but in `mfaConfig`.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env) {
  const [runtimeVariables, app, database, auth, passwords, rateLimit, mail, account, logging, metrics, audit, mfa] = readVariables(
    [
      RuntimeVariables,
      AppVariables,
      DatabaseVariables,
      AuthVariables,
      PasswordsVariables,
      RateLimitVariables,
      MailVariables,
      AccountVariables,
      LoggingVariables,
      MetricsVariables,
      AuditVariables,
      MfaVariables,
    ] as const,
    source,
  );
  const runtime = toRuntime(runtimeVariables);
  return {
    runtime,
    app: toAppConfig(app, runtime),
    database: toDatabaseConfig(database, runtime),
    auth: toAuthSettings(auth, runtime),
    passwords: toPasswordsConfig(passwords, runtime),
    rateLimit: toRateLimitConfig(rateLimit),
    mail: toMailConfig(mail, runtime),
    account: toAccountConfig(account),
    logging: toLoggingConfig(logging),
    metrics: toMetricsConfig(metrics),
    audit: toAuditConfig(audit),
    mfa: toMfaSettings(mfa),
  };
}

export type Env = ReturnType<typeof loadEnv>;
