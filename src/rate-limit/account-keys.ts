import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { derivedSecret } from '../config/signing-keys.js';

/**
 * Counter keys for per-account limits, keyed on the normalised email (known or not) with an HMAC
 * whose key derives from the token-signing material every instance shares, so the counter store
 * holds no guessable hash of an email address.
 */
@Injectable()
export class AccountKeys {
  private readonly keyed: Buffer;

  constructor(@Inject(authConfig.KEY) auth: AuthConfig) {
    this.keyed = derivedSecret(auth.keys, 'account-counters');
  }

  key(scope: string, email: string): string {
    return `${scope}:${createHmac('sha256', this.keyed).update(email).digest('hex')}`;
  }
}
