import { Injectable } from '@nestjs/common';
import { ClientLimitService } from '../rate-limit/client-limit.service.js';
import { LoginFailuresService } from '../rate-limit/login-failures.service.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { UsersService } from '../users/users.service.js';
import type { User } from '../users/user.entity.js';
import { PasswordHasherService } from './password-hasher.service.js';
import { normalizeEmail } from '../users/email-address.js';

/**
 * Every check of a password a client sends, so that no route is a password oracle: the account's
 * failure count (`RATE_LIMIT_LOGIN_FAILURES`) is spent before any hashing and cleared by a success,
 * and the verification waits in the hasher's bounded queue. Since the count refuses an account
 * past its limit before hashing, one account (or one client, by the per-IP limit) can never have
 * more hashes queued than its limit allows.
 */
@Injectable()
export class PasswordCheckService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasherService,
    private readonly failures: LoginFailuresService,
    private readonly clients: ClientLimitService,
    private readonly securityEvents: SecurityEventsService,
  ) {}

  /**
   * The login's check on the account `email`, known or not: one verification either way (a dummy
   * for an unknown account), the account (with its hash) when there is one.
   */
  async verify(email: string, password: string, throttledEvent: 'login_throttled' | 'password_check_throttled' = 'login_throttled') {
    // The account is read first: an attempt the database could not serve is no attempt, and
    // must not bring its owner nearer the limit (a client retrying through an outage would be
    // locked out for the window once the database is back).
    const user = await this.users.findWithPasswordByEmail(email);
    const attempt = await this.failures.countAttempt(email, throttledEvent);
    const valid = user ? await this.hasher.verify(user.hashedPassword, password) : await this.hasher.verifyDummy(password);
    // With a second factor the password alone proves too little to clear the count: the code
    // that completes the login (or step) clears it, and wrong codes add to it meanwhile.
    if (user && valid && !user.mfaEnabled) await attempt.succeeded();
    return { user, valid };
  }

  /**
   * The signed-in user's password, checked again (changing it, and any later step-up): the login's
   * limits apply, per account and per client IP (the counter `@RateLimit('login')` keeps), so
   * failures here and at login add up. Past either limit: 429 with `Retry-After`.
   */
  async verifyPasswordFor(user: User, password: string, clientIp: string): Promise<boolean> {
    await this.clients.consume('login', clientIp);
    const { user: stored, valid } = await this.verify(normalizeEmail(user.email), password, 'password_check_throttled');
    if (stored?.id === user.id && valid) return true;
    this.securityEvents.record('password_check_failed', { userId: user.id });
    return false;
  }
}
