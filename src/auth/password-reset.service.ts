import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { securityEvent } from '../common/security-events.js';
import { validationFailed } from '../common/validation.js';
import { LoginFailuresService } from '../rate-limit/login-failures.service.js';
import { MailLimitService } from '../rate-limit/mail-limit.service.js';
import { revokeSessions } from '../sessions/revoke-sessions.js';
import { User } from '../users/user.entity.js';
import { AccountMailService } from './account-mail.service.js';
import { AccountTokenPurpose } from './account-token.entity.js';
import { AccountTokensService } from './account-tokens.service.js';
import { PasswordHasherService } from './password-hasher.service.js';
import { passwordProblem } from './password-policy.js';

@Injectable()
export class PasswordResetService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: AccountTokensService,
    private readonly mails: AccountMailService,
    private readonly mailLimit: MailLimitService,
    private readonly hasher: PasswordHasherService,
    private readonly failures: LoginFailuresService,
  ) {}

  /**
   * The same work and the same answer whatever the address: count it, run the one statement that
   * issues a token when an active account has it, and queue the mail (sent later, off the request).
   */
  async request(email: string): Promise<void> {
    await this.mailLimit.consume(email);
    const issued = await this.tokens.issueForEmail(email, AccountTokenPurpose.PasswordReset);
    securityEvent('password_reset_requested', { userId: issued?.userId });
    if (issued) this.mails.passwordReset(issued);
  }

  /**
   * Spends the token, applies the password policy (a refusal rolls the spend back), stores the
   * new hash and ends every session, all in one transaction. Receiving the link proves the
   * mailbox, so the address counts as verified; the account's login-failure count is cleared.
   */
  async confirm(token: string, newPassword: string): Promise<void> {
    const { userId, email } = await this.dataSource.transaction(async (em) => {
      const owner = await this.tokens.spend(em, token, AccountTokenPurpose.PasswordReset);
      const problem = passwordProblem(newPassword, owner.email);
      if (problem) throw validationFailed([{ field: 'new_password', message: `new_password ${problem}` }]);
      await em.update(User, { id: owner.userId }, { hashedPassword: await this.hasher.hash(newPassword), emailVerified: true });
      await revokeSessions(em, { userId: owner.userId }, 'password_reset');
      return owner;
    });
    securityEvent('password_reset', { userId });
    await this.failures.succeeded(email);
    this.mails.passwordChanged(userId, email);
  }
}
