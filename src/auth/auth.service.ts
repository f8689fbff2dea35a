import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { validationFailed } from '../common/validation.js';
import type { IdempotentRequest } from '../idempotency/idempotency-key.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { accountConfig, type AccountConfig } from '../config/account.config.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { type ClientInfo, SessionsService } from '../sessions/sessions.service.js';
import { toUserOut, type UserOut } from '../users/dto/user-out.dto.js';
import { UsersService } from '../users/users.service.js';
import type { User } from '../users/user.entity.js';
import type { ChangePasswordDto } from '../passwords/dto/change-password.dto.js';
import type { RegisterDto } from './dto/register.dto.js';
import type { TokenDto } from './dto/token.dto.js';
import { AccountMailService } from '../account/account-mail.service.js';
import { EmailVerificationService } from '../account/email-verification.service.js';
import { PasswordCheckService } from '../passwords/password-check.service.js';
import { PasswordHasherService } from '../passwords/password-hasher.service.js';
import { BAD_CREDENTIALS, EMAIL_NOT_VERIFIED, INACTIVE_ACCOUNT } from './messages.js';
import { normalizeEmail, passwordProblem, samePassword } from '../passwords/password-policy.js';
import { TokenService } from './token.service.js';

export { BAD_CREDENTIALS } from './messages.js';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasherService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokenService,
    private readonly passwords: PasswordCheckService,
    private readonly verification: EmailVerificationService,
    private readonly mails: AccountMailService,
    @Inject(accountConfig.KEY) private readonly config: AccountConfig,
    private readonly idempotency: IdempotencyService,
    private readonly securityEvents: SecurityEventsService,
  ) {}

  /** A new session for an authenticated user, and its first token pair. */
  async login(user: User, client: ClientInfo): Promise<TokenDto> {
    const session = await this.sessions.start(user.id, user.hashedPassword, client);
    this.securityEvents.record('login_succeeded', { userId: user.id, sessionId: session.sessionId });
    return this.tokens.issue(session);
  }

  /** Rotation: the presented refresh token is spent and the next pair issued. */
  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenDto> {
    return this.tokens.issue(await this.sessions.rotate(refreshToken, client));
  }

  /**
   * Applies the policy, checks the current password (within the login's limits), refuses the same
   * password again, ends every other session of the user, and mails a notice.
   */
  async changePassword(user: User, sessionId: number, dto: ChangePasswordDto, clientIp: string): Promise<void> {
    const problem = passwordProblem(dto.new_password, user.email);
    if (problem) throw validationFailed([{ field: 'new_password', message: `new_password ${problem}` }]);
    if (!(await this.passwords.verifyPasswordFor(user, dto.current_password, clientIp))) {
      throw new UnauthorizedException('Current password is incorrect');
    }
    // Only now: before the check, "the same as the current one" would confirm a guess.
    if (samePassword(dto.new_password, dto.current_password)) {
      throw validationFailed([{ field: 'new_password', message: 'new_password must differ from the current password' }]);
    }
    await this.users.changePassword(user.id, await this.hasher.hash(dto.new_password), sessionId);
    this.securityEvents.record('password_changed', { userId: user.id, sessionId });
    this.mails.passwordChanged(user.id, user.email);
  }

  /**
   * Creates the account and mails it a verification link. A retry with the first request's
   * idempotency key and very same body gets the first answer, and no second mail.
   */
  async register(dto: RegisterDto, key?: IdempotentRequest): Promise<UserOut> {
    const hashedPassword = await this.hasher.hash(dto.password);
    let created: User | undefined;
    const { answer } = await this.idempotency.run(key, 'anonymous', async (em) => {
      created = await this.users.create(dto.email, hashedPassword, undefined, undefined, em);
      return toUserOut(created);
    });
    // After the commit: the link's token refers to the new user row.
    if (created) await this.verification.sendWithinLimit(created);
    return answer;
  }

  /**
   * One argon2 verification whether or not the email exists, and one answer for both failures;
   * only a correct password learns that the account is inactive, or (with
   * `REQUIRE_EMAIL_VERIFICATION`) unverified, which also mails a fresh link. Outdated hashes are upgraded.
   */
  async authenticate(rawEmail: string, password: string, clientIp: string | null = null): Promise<User> {
    const email = normalizeEmail(rawEmail);
    const { user, valid } = await this.passwords.verify(email, password);
    if (!user || !valid) {
      this.securityEvents.record('login_failed', user ? { userId: user.id, reason: 'wrong_password' } : { reason: 'unknown_email' });
      throw new UnauthorizedException(BAD_CREDENTIALS);
    }
    if (!user.isActive) {
      this.securityEvents.record('login_refused_inactive', { userId: user.id });
      throw new ForbiddenException(INACTIVE_ACCOUNT);
    }
    if (this.config.requireEmailVerification && !user.emailVerified) {
      this.securityEvents.record('login_refused_unverified', { userId: user.id });
      await this.verification.remind(user, clientIp);
      throw new ForbiddenException(EMAIL_NOT_VERIFIED);
    }
    if (this.hasher.needsRehash(user.hashedPassword)) {
      const upgraded = await this.hasher.hash(password);
      // Only over the hash just verified: a password changed meanwhile must not be written back.
      if (!(await this.users.replacePasswordHash(user.id, user.hashedPassword, upgraded))) {
        throw new UnauthorizedException(BAD_CREDENTIALS);
      }
      user.hashedPassword = upgraded;
    }
    return user;
  }
}
