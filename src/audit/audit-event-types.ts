import type { SecurityEvent } from '../security-events/security-events.service.js';

/**
 * Every type an audit event may have: what it records, and the security event (log line and
 * metric) it is also logged as. Adding a type: an entry here and a line in docs/audit.md; the
 * OpenAPI document lists the types from this table. Names are stable once released: clients and
 * operators filter on them.
 */
export const AUDIT_EVENT_TYPES = {
  'login.succeeded': { logAs: 'login_succeeded', meaning: 'a sign-in issued a session (`session_id`)' },
  'login.failed': { logAs: 'login_failed', meaning: 'a sign-in was refused: `reason` `wrong_password` or `unknown_email` (no `user_id`)' },
  'login.throttled': {
    logAs: 'login_throttled',
    meaning:
      'a password or code check was refused unchecked, the account past its failure limit (`attempts`; `during` `login`, `password_check` or `mfa`)',
  },
  'refresh.reuse_detected': {
    logAs: 'refresh_token_reuse',
    meaning: 'a spent refresh token was presented again; its session ended (`session_id`)',
  },
  'password.changed': {
    logAs: 'password_changed',
    meaning: 'the user changed their password; their other sessions ended (`sessions_ended`)',
  },
  'password.reset': {
    logAs: 'password_reset',
    meaning: 'the password was set with a mailed reset link; every session ended (`sessions_ended`)',
  },
  'email.verified': { logAs: 'email_verified', meaning: 'the address was confirmed with a mailed link' },
  'mfa.enabled': { logAs: 'mfa_enabled', meaning: 'the second factor was turned on' },
  'mfa.disabled': { logAs: 'mfa_disabled', meaning: 'the second factor was turned off' },
  'mfa.recovery_code_used': {
    logAs: 'mfa_recovery_code_used',
    meaning: 'a recovery code was spent, at a sign-in or to confirm a change (`remaining`: the unused codes left)',
  },
  'mfa.code_failed': {
    logAs: 'mfa_code_failed',
    meaning: 'a second-factor code was refused: `reason` `wrong_totp`, `wrong_recovery_code` or `locked`; `failures`: wrong codes in a row',
  },
  'mfa.recovery_codes_regenerated': {
    logAs: 'mfa_recovery_codes_regenerated',
    meaning: 'a new set of recovery codes replaced the old one',
  },
  'session.revoked': {
    logAs: 'session_revoked',
    meaning: 'the user ended a session (`session_id`) or all of them (`reason` `logout_all`, `sessions_ended`)',
  },
  'account.deleted': { logAs: 'account_deleted', meaning: 'the user deleted their account and everything it held' },
  'admin.user_updated': {
    logAs: 'user_updated_by_admin',
    meaning:
      'an admin (`actor_id`) changed the role or activation (`role`, `is_active`: the new values); no actor when the first admin was set up',
  },
  'admin.user_deleted': { logAs: 'user_deleted_by_admin', meaning: 'an admin deleted the account and everything it held' },
  'admin.sessions_revoked': { logAs: 'sessions_revoked_by_admin', meaning: 'an admin ended every session of the user (`sessions_ended`)' },
  'admin.mfa_reset': { logAs: 'mfa_reset_by_admin', meaning: "an admin turned the user's second factor off (a lost device)" },
} as const satisfies Record<string, { logAs: SecurityEvent; meaning: string }>;

export type AuditEventType = keyof typeof AUDIT_EVENT_TYPES;

export const AUDIT_EVENT_TYPE_LIST = Object.keys(AUDIT_EVENT_TYPES) as AuditEventType[];

/** What an event adds beside its columns: ids, counts and reasons, never a secret, a token or an address. */
export type AuditDetails = Record<string, string | number | boolean>;
