import { Injectable, UnauthorizedException } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/client-ip.js';
import { coded } from '../common/problem-codes.js';
import { ClientLimitService } from '../rate-limit/client-limit.service.js';
import { LoginFailuresService } from '../rate-limit/login-failures.service.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { normalizeEmail } from '../users/email-address.js';
import { UsersService } from '../users/users.service.js';
import type { User } from '../users/user.entity.js';
import { PasswordHasherService } from './password-hasher.service.js';

/** The one answer to a wrong password re-entered by a signed-in user (a change, a deletion, a step-up). */
export const WRONG_CURRENT_PASSWORD = 'Current password is incorrect';

/** Where a password is checked: the login, or a signed-in user re-entering it. */
export type PasswordCheckPlace = 'login' | 'password_check';

/**
 * Every check of a password a client sends, so that no route is a password oracle: the account's
 * failure count (`RATE_LIMIT_LOGIN_FAILURES`) is spent before any hashing and cleared by a success,
 * and the verification waits in the hasher's bounded queue. Since the count refuses an account
 * past its limit before hashing, one account (or one client, by the per-IP limit) can never have
 * more hashes queued than its limit allows. A refusal by the count is audited (`login.throttled`).
 */
@Injectable()
export class PasswordCheckService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasherService,
    private readonly failures: LoginFailuresService,
    private readonly clients: ClientLimitService,
    private readonly securityEvents: SecurityEventsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * The check on the account `email`, known or not: one verification either way (a dummy for an
   * unknown account), the account (with its hash) when there is one.
   */
  async verify(email: string, password: string, client: ClientInfo, during: PasswordCheckPlace = 'login') {
    // The account is read first: an attempt the database could not serve is no attempt, and
    // must not bring its owner nearer the limit (a client retrying through an outage would be
    // locked out for the window once the database is back).
    const user = await this.users.findWithPasswordByEmail(email);
    const attempt = await this.failures.countAttempt(email, (attempts) =>
      this.audit.recordAttempt('login.throttled', {
        userId: user?.id ?? null,
        client,
        details: { attempts, during },
        logAs: during === 'login' ? 'login_throttled' : 'password_check_throttled',
      }),
    );
    const valid = user ? await this.hasher.verify(user.hashedPassword, password) : await this.hasher.verifyDummy(password);
    // With a second factor the password alone proves too little to clear the count: the code
    // that completes the login (or step) clears it, and wrong codes add to it meanwhile.
    if (user && valid && !user.mfaEnabled) await attempt.succeeded();
    return { user, valid };
  }

  /**
   * The signed-in user's password, checked again (changing it, deleting the account, and any later
   * step-up): the login's limits apply, per account and per client IP (the counter
   * `@RateLimit('login')` keeps), so failures here and at login add up. Past either limit: 429 with
   * `Retry-After`; a wrong password: 401 `invalid_current_password`.
   */
  async confirmPasswordOf(user: User, password: string, client: ClientInfo): Promise<void> {
    await this.clients.consume('login', client.ip ?? '');
    const { user: stored, valid } = await this.verify(normalizeEmail(user.email), password, client, 'password_check');
    if (stored?.id === user.id && valid) return;
    this.securityEvents.record('password_check_failed', { userId: user.id });
    throw new UnauthorizedException(coded('invalid_current_password', WRONG_CURRENT_PASSWORD));
  }
}
