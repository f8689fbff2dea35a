import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { EmailVerificationService } from '../account/email-verification.service.js';
import { accountConfig, type AccountConfig } from '../config/account.config.js';
import type { IdempotentRequest } from '../idempotency/idempotency-key.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { MfaLoginService } from '../mfa/mfa-login.service.js';
import { PasswordCheckService } from '../passwords/password-check.service.js';
import { PasswordHasherService } from '../passwords/password-hasher.service.js';
import { normalizeEmail } from '../users/email-address.js';
import { PasswordsService } from '../passwords/passwords.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/client-ip.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { toUserOut, type UserOut } from '../users/dto/user-out.dto.js';
import { UsersService } from '../users/users.service.js';
import type { User } from '../users/user.entity.js';
import type { RegisterDto } from './dto/register.dto.js';
import type { TokenDto } from './dto/token.dto.js';
import { BAD_CREDENTIALS, EMAIL_NOT_VERIFIED, INACTIVE_ACCOUNT } from './messages.js';
import { TokenService } from './token.service.js';
import { coded } from '../common/problem-codes.js';

export { BAD_CREDENTIALS } from './messages.js';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasherService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokenService,
    private readonly checks: PasswordCheckService,
    private readonly passwords: PasswordsService,
    private readonly verification: EmailVerificationService,
    @Inject(accountConfig.KEY) private readonly config: AccountConfig,
    private readonly idempotency: IdempotencyService,
    private readonly securityEvents: SecurityEventsService,
    private readonly audit: AuditService,
    private readonly mfa: MfaLoginService,
  ) {}

  /**
   * A new session for a user whose password was verified, and its first token pair; with MFA on,
   * no session yet but the 403 `mfa_required` carrying the token of the second step.
   */
  async login(user: User, client: ClientInfo): Promise<TokenDto> {
    if (user.mfaEnabled) throw await this.mfa.challenge(user);
    return this.startSession(user, user.hashedPassword, client, false);
  }

  /** The second step of a login with MFA: the code, then the session the first step earned. */
  async completeMfaLogin(mfaToken: string, code: string, client: ClientInfo): Promise<TokenDto> {
    const { user, verifiedHash } = await this.mfa.verify(mfaToken, code, client);
    return this.startSession(user, verifiedHash, client, true);
  }

  /** The session, audited in its own statement, and its first token pair. */
  private async startSession(user: User, verifiedHash: string, client: ClientInfo, mfa: boolean): Promise<TokenDto> {
    return this.tokens.issue(await this.sessions.start(user.id, verifiedHash, client, mfa));
  }

  /** Rotation: the presented refresh token is spent and the next pair issued. */
  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenDto> {
    return this.tokens.issue(await this.sessions.rotate(refreshToken, client));
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
  async authenticate(rawEmail: string, password: string, client: ClientInfo): Promise<User> {
    const email = normalizeEmail(rawEmail);
    const { user, valid } = await this.checks.verify(email, password, client);
    if (!user || !valid) {
      // Written for an unknown address too, without the address (it may be a password typed in
      // the wrong field): both failures cost the same.
      const reason = user ? 'wrong_password' : 'unknown_email';
      await this.audit.recordAttempt('login.failed', { userId: user?.id ?? null, client, details: { reason } });
      throw new UnauthorizedException(coded('invalid_credentials', BAD_CREDENTIALS));
    }
    if (!user.isActive) {
      this.securityEvents.record('login_refused_inactive', { userId: user.id });
      throw new ForbiddenException(coded('inactive_account', INACTIVE_ACCOUNT));
    }
    if (this.config.requireEmailVerification && !user.emailVerified) {
      this.securityEvents.record('login_refused_unverified', { userId: user.id });
      await this.verification.remind(user, client.ip);
      throw new ForbiddenException(coded('email_not_verified', EMAIL_NOT_VERIFIED));
    }
    if (!(await this.passwords.upgradeOutdatedHash(user, password)))
      throw new UnauthorizedException(coded('invalid_credentials', BAD_CREDENTIALS));
    return user;
  }
}
