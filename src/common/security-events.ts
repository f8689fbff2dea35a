import { Logger } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';

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
  | 'user_updated_by_admin'
  | 'user_deleted_by_admin'
  | 'admin_bootstrap_refused';

export interface SecurityEventOptions {
  /** `error` for an event an operator has to act on. */
  level?: 'info' | 'error';
  /** The line's message, when the event's name alone would not tell the operator what to do. */
  message?: string;
}

const logger = new Logger('Security');
let eventLog: PinoLogger | undefined;
const listeners = new Set<(event: SecurityEvent) => void>();

/** Calls `listener` with every security event from now on (metrics count them); returns the unsubscribe. */
export function onSecurityEvent(listener: (event: SecurityEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Writes security events to `root` directly, as the same lines Nest's logger would write (context
 * `Security`) but without pino's redaction pass: their fields are flat ids and reasons, which no
 * redacted path (all of them nested, such as `*.password`) can match. Until this is called, and
 * after the returned undo, events go through Nest's logger.
 */
export function logSecurityEventsTo(root: PinoLogger): () => void {
  const child = root.child({ context: 'Security' }, { redact: [] });
  eventLog = child;
  return () => {
    if (eventLog === child) eventLog = undefined;
  };
}

/**
 * One structured log line per security event, with ids and reasons only: never a password, a
 * token or an email address.
 */
export function securityEvent(
  event: SecurityEvent,
  fields: Record<string, string | number | boolean | undefined> = {},
  { level = 'info', message = event }: SecurityEventOptions = {},
): void {
  if (eventLog) eventLog[level]({ event, ...fields }, message);
  else if (level === 'error') logger.error({ event, ...fields }, message);
  else logger.log({ event, ...fields }, message);
  for (const listener of listeners) listener(event);
}
