import { Injectable } from '@nestjs/common';
import type { ClientInfo } from '../common/client-ip.js';
import { LoginFailuresService } from '../rate-limit/login-failures.service.js';
import { MailLimitService } from '../rate-limit/mail-limit.service.js';
import { PasswordsService } from '../passwords/passwords.service.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { User } from '../users/user.entity.js';
import { AccountMailService } from './account-mail.service.js';
import { AccountTokenPurpose } from './account-token.entity.js';
import { AccountTokensService } from './account-tokens.service.js';

@Injectable()
export class PasswordResetService {
  constructor(
    private readonly tokens: AccountTokensService,
    private readonly mails: AccountMailService,
    private readonly mailLimit: MailLimitService,
    private readonly passwords: PasswordsService,
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
   * Checks the token, then sets the password (a policy refusal leaves the token usable), spending
   * the token in the same transaction that stores the hash and ends every session; of two
   * confirms racing, one spends the token and the other gets the 400. Receiving the link proves
   * the mailbox, so the address counts as verified; the account's login-failure count is cleared.
   */
  async confirm(token: string, newPassword: string, client: ClientInfo): Promise<void> {
    const owner = await this.tokens.owner(token, AccountTokenPurpose.PasswordReset);
    await this.passwords.set({ id: owner.userId, email: owner.email }, newPassword, {
      reason: 'password_reset',
      client,
      within: async (em) => {
        const spent = await this.tokens.spend(em, token, AccountTokenPurpose.PasswordReset);
        await em.update(User, { id: spent.userId }, { emailVerified: true });
      },
    });
    await this.failures.clear(owner.email);
  }
}
