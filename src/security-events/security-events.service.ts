import { Injectable, Logger } from '@nestjs/common';

export type SecurityEvent =
  | 'login_succeeded'
  | 'login_failed'
  | 'login_refused_inactive'
  | 'login_refused_unverified'
  | 'login_throttled'
  | 'password_check_failed'
  | 'password_check_throttled'
  | 'rate_limited'
  | 'refresh_token_reuse'
  | 'password_changed'
  | 'password_reset_requested'
  | 'password_reset'
  | 'email_verified'
  | 'mail_throttled'
  | 'session_revoked'
  | 'account_deleted'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'mfa_recovery_code_used'
  | 'mfa_recovery_codes_regenerated'
  | 'user_updated_by_admin'
  | 'user_deleted_by_admin'
  | 'sessions_revoked_by_admin'
  | 'mfa_reset_by_admin'
  | 'admin_bootstrap_refused'
  | 'mfa_setup_started'
  | 'mfa_challenge_issued'
  | 'mfa_code_failed'
  | 'mfa_code_throttled'
  | 'mfa_failure_cap_reached'
  | 'mfa_token_refused';

export type SecurityEventFields = Record<string, string | number | boolean | undefined>;

export interface SecurityEventOptions {
  /** `error` for an event an operator has to act on. */
  level?: 'info' | 'error';
  /** The line's message, when the event's name alone would not tell the operator what to do. */
  message?: string;
}

export type SecurityEventListener = (event: SecurityEvent) => void;

/**
 * The application's security events: one structured log line each (context `Security`), with ids
 * and reasons only, never a password, a token or an email address; and a count for whoever
 * subscribes (the metrics). Those an account's owner or an admin reads later are recorded through
 * `AuditService` (src/audit/), which stores them and logs them here in one call. One instance per
 * application, so the tests' apps in one process never see each other's events.
 */
@Injectable()
export class SecurityEventsService {
  private readonly logger = new Logger('Security');
  private readonly listeners = new Set<SecurityEventListener>();

  record(event: SecurityEvent, fields: SecurityEventFields = {}, { level = 'info', message = event }: SecurityEventOptions = {}): void {
    if (level === 'error') this.logger.error({ event, ...fields }, message);
    else this.logger.log({ event, ...fields }, message);
    for (const listener of this.listeners) listener(event);
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe. */
  subscribe(listener: SecurityEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
