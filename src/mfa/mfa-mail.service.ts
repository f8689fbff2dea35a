import { Injectable } from '@nestjs/common';
import { MailService } from '../mail/mail.service.js';
import type { User } from '../users/user.entity.js';
import { mfaMail, type MfaNotice } from './mfa-mails.js';

/** Mails the owner of an account each change to its second factor (queued; never fails the request). */
@Injectable()
export class MfaMailService {
  constructor(private readonly mail: MailService) {}

  notify(user: Pick<User, 'id' | 'email'>, kind: MfaNotice, remainingRecoveryCodes?: number): void {
    this.mail.send({ to: user.email, ...mfaMail(kind, new Date(), remainingRecoveryCodes) }, { kind: `mfa_${kind}`, userId: user.id });
  }
}
