import { Inject, Injectable } from '@nestjs/common';
import { mailConfig, type MailConfig } from '../config/mail.config.js';
import { MailService } from '../mail/mail.service.js';
import { AccountTokenPurpose } from './account-token.entity.js';
import { type IssuedToken, TOKEN_LIFETIME_SECONDS } from './account-tokens.service.js';
import { passwordResetMail, verificationMail } from './mail-templates.js';

/**
 * The mails of an account's life, with links under `PUBLIC_URL`. The token travels in the
 * fragment (`#token=`), which browsers never send to a server, so it stays out of access logs
 * and `Referer` headers; the page at the link reads it and posts it to the API.
 */
@Injectable()
export class AccountMailService {
  constructor(
    private readonly mail: MailService,
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
  ) {}

  passwordReset({ userId, email, token }: IssuedToken): void {
    const minutes = TOKEN_LIFETIME_SECONDS[AccountTokenPurpose.PasswordReset] / 60;
    const content = passwordResetMail(this.link('reset-password', token), token, minutes);
    this.mail.send({ to: email, ...content }, { kind: 'password_reset', userId, secrets: [token] });
  }

  verification({ userId, email, token }: IssuedToken): void {
    const hours = TOKEN_LIFETIME_SECONDS[AccountTokenPurpose.EmailVerification] / 3600;
    const content = verificationMail(this.link('verify-email', token), token, hours);
    this.mail.send({ to: email, ...content }, { kind: 'email_verification', userId, secrets: [token] });
  }

  private link(page: string, token: string): string {
    return `${this.config.publicUrl}/${page}#token=${token}`;
  }
}
