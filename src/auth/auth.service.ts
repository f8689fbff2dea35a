import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { securityEvent } from '../common/security-events.js';
import { validationFailed } from '../common/validation.js';
import { accountConfig, type AccountConfig } from '../config/configuration.js';
import { LoginFailuresService } from '../rate-limit/login-failures.service.js';
import { type ClientInfo, SessionsService } from '../sessions/sessions.service.js';
import { UsersService } from '../users/users.service.js';
import type { User } from '../users/user.entity.js';
import type { ChangePasswordDto } from './dto/change-password.dto.js';
import type { RegisterDto } from './dto/register.dto.js';
import type { TokenDto } from './dto/token.dto.js';
import { AccountMailService } from './account-mail.service.js';
import { EmailVerificationService } from './email-verification.service.js';
import { PasswordHasherService } from './password-hasher.service.js';
import { BAD_CREDENTIALS, EMAIL_NOT_VERIFIED, INACTIVE_ACCOUNT } from './messages.js';
import { normalizeEmail, passwordProblem } from './password-policy.js';
import { TokenService } from './token.service.js';

export { BAD_CREDENTIALS } from './messages.js';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasherService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokenService,
    private readonly failures: LoginFailuresService,
    private readonly verification: EmailVerificationService,
    private readonly mails: AccountMailService,
    @Inject(accountConfig.KEY) private readonly config: AccountConfig,
  ) {}

  /** A new session for an authenticated user, and its first token pair. */
  async login(user: User, client: ClientInfo): Promise<TokenDto> {
    const session = await this.sessions.start(user.id, user.hashedPassword, client);
    securityEvent('login_succeeded', { userId: user.id, sessionId: session.sessionId });
    return this.tokens.issue(session);
  }

  /** Rotation: the presented refresh token is spent and the next pair issued. */
  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenDto> {
    return this.tokens.issue(await this.sessions.rotate(refreshToken, client));
  }

  /** Checks the current password, applies the policy, ends every other session of the user, and mails a notice. */
  async changePassword(user: User, sessionId: number, dto: ChangePasswordDto): Promise<void> {
    const stored = await this.users.findWithPasswordByEmail(user.email);
    if (!stored || !(await this.hasher.verify(stored.hashedPassword, dto.current_password))) {
      throw new UnauthorizedException('Current password is incorrect');
    }
    const problem = passwordProblem(dto.new_password, user.email);
    if (problem) throw validationFailed([{ field: 'new_password', message: `new_password ${problem}` }]);
    await this.users.changePassword(user.id, await this.hasher.hash(dto.new_password), sessionId);
    securityEvent('password_changed', { userId: user.id, sessionId });
    this.mails.passwordChanged(user.id, user.email);
  }

  /** Creates the account and mails it a verification link, within the address's mail limit. */
  async register(dto: RegisterDto): Promise<User> {
    const user = await this.users.create(dto.email, await this.hasher.hash(dto.password));
    await this.verification.sendWithinLimit(user);
    return user;
  }

  /**
   * One argon2 verification whether or not the email exists, and one answer for both failures;
   * only a correct password learns that the account is inactive, or (with
   * `REQUIRE_EMAIL_VERIFICATION`) unverified, which also mails a fresh link. Outdated hashes are upgraded.
   */
  async authenticate(rawEmail: string, password: string): Promise<User> {
    const email = normalizeEmail(rawEmail);
    const attempt = await this.failures.countAttempt(email);
    const user = await this.users.findWithPasswordByEmail(email);
    const valid = user
      ? await this.hasher.verify(user.hashedPassword, password)
      : await this.hasher.verifyDummy(password);
    if (!user || !valid) {
      securityEvent('login_failed', user ? { userId: user.id, reason: 'wrong_password' } : { reason: 'unknown_email' });
      throw new UnauthorizedException(BAD_CREDENTIALS);
    }
    await attempt.succeeded();
    if (!user.isActive) {
      securityEvent('login_refused_inactive', { userId: user.id });
      throw new ForbiddenException(INACTIVE_ACCOUNT);
    }
    if (this.config.requireEmailVerification && !user.emailVerified) {
      securityEvent('login_refused_unverified', { userId: user.id });
      await this.verification.sendWithinLimit(user);
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
