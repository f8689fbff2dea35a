import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { validationFailed } from '../common/validation.js';
import { LoginFailuresService } from '../rate-limit/login-failures.service.js';
import { MailLimitService } from '../rate-limit/mail-limit.service.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { revokeSessions } from '../sessions/revoke-sessions.js';
import { User } from '../users/user.entity.js';
import { AccountMailService } from './account-mail.service.js';
import { AccountTokenPurpose } from './account-token.entity.js';
import { AccountTokensService } from './account-tokens.service.js';
import { PasswordHasherService } from '../passwords/password-hasher.service.js';
import { passwordProblem } from '../passwords/password-policy.js';

@Injectable()
export class PasswordResetService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: AccountTokensService,
    private readonly mails: AccountMailService,
    private readonly mailLimit: MailLimitService,
    private readonly hasher: PasswordHasherService,
    private readonly failures: LoginFailuresService,
    private readonly securityEvents: SecurityEventsService,
  ) {}

  /**
   * The same work and the same answer whatever the address: count it, run the one statement that
   * issues a token when an active account has it, and queue the mail (sent later, off the request).
   */
  async request(email: string): Promise<void> {
    await this.mailLimit.consume(email);
    const issued = await this.tokens.issueForEmail(email, AccountTokenPurpose.PasswordReset);
    this.securityEvents.record('password_reset_requested', { userId: issued?.userId });
    if (issued) this.mails.passwordReset(issued);
  }

  /**
   * Checks the token and the password policy (a refusal leaves the token usable), hashes the new
   * password outside any transaction (a hash may wait its turn behind logins), then spends the
   * token, stores the hash and ends every session in one short transaction; of two confirms
   * racing, one spends the token and the other gets the 400. Receiving the link proves the
   * mailbox, so the address counts as verified; the account's login-failure count is cleared.
   */
  async confirm(token: string, newPassword: string): Promise<void> {
    const owner = await this.tokens.owner(token, AccountTokenPurpose.PasswordReset);
    const problem = passwordProblem(newPassword, owner.email);
    if (problem) throw validationFailed([{ field: 'new_password', message: `new_password ${problem}` }]);
    const hashedPassword = await this.hasher.hash(newPassword);
    const { userId, email } = await this.dataSource.transaction(async (em) => {
      const spent = await this.tokens.spend(em, token, AccountTokenPurpose.PasswordReset);
      await em.update(User, { id: spent.userId }, { hashedPassword, emailVerified: true });
      await revokeSessions(em, { userId: spent.userId }, 'password_reset');
      return spent;
    });
    this.securityEvents.record('password_reset', { userId });
    await this.failures.clear(email);
    this.mails.passwordChanged(userId, email);
  }
}
