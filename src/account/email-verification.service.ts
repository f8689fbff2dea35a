import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/client-ip.js';
import { ClientLimitService } from '../rate-limit/client-limit.service.js';
import { MailLimitService } from '../rate-limit/mail-limit.service.js';
import { User } from '../users/user.entity.js';
import { AccountMailService } from './account-mail.service.js';
import { AccountTokenPurpose } from './account-token.entity.js';
import { AccountTokensService } from './account-tokens.service.js';

@Injectable()
export class EmailVerificationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: AccountTokensService,
    private readonly mails: AccountMailService,
    private readonly mailLimit: MailLimitService,
    private readonly clientLimits: ClientLimitService,
    private readonly audit: AuditService,
  ) {}

  /** Mails a fresh link (the previous one stops working); nothing for a verified or inactive account. */
  private async send(user: User): Promise<void> {
    if (user.emailVerified) return;
    const issued = await this.tokens.issueForUser(user.id, AccountTokenPurpose.EmailVerification);
    if (issued) this.mails.verification(issued);
  }

  /** `POST /auth/verify-email/resend`: counts against the address's mail limit (429 past it). */
  async resend(user: User): Promise<void> {
    if (user.emailVerified) return;
    await this.mailLimit.consume(user.email);
    await this.send(user);
  }

  /**
   * A registration mails a fresh link within the
   * address's mail limit and silently goes without beyond it: the account is created all the same
   * (reset requests by someone else must not block it), and a person who lost the link cannot
   * sign in to resend.
   */
  async sendWithinLimit(user: User): Promise<void> {
    if (await this.mailLimit.tryConsume(user.email)) await this.send(user);
  }

  /**
   * A login refused for want of verification: as `sendWithinLimit`, and within the client's
   * per-IP mail budget too, which the login route does not spend, so logging in to many unverified
   * accounts mails no more than asking for the mails would.
   */
  async remind(user: User, clientIp: string | null): Promise<void> {
    if (clientIp && !(await this.clientLimits.tryConsume('mail', clientIp))) return;
    await this.sendWithinLimit(user);
  }

  async verify(token: string, client: ClientInfo): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const owner = await this.tokens.spend(em, token, AccountTokenPurpose.EmailVerification);
      await em.update(User, { id: owner.userId }, { emailVerified: true });
      await this.audit.record(em, 'email.verified', { userId: owner.userId, client });
    });
  }
}
