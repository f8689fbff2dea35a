import { createHash, createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { authConfig, type AuthConfig } from '../config/auth.config.js';

/**
 * Counter keys for per-account limits, keyed on the normalised email (known or not) with an HMAC
 * whose key derives from the token-signing material every instance shares, so the counter store
 * holds no guessable hash of an email address.
 */
@Injectable()
export class AccountKeys {
  private readonly keyed: Buffer;

  constructor(@Inject(authConfig.KEY) auth: AuthConfig) {
    const material = auth.keys.signingKey;
    const secret = typeof material === 'string' ? material : material.export({ format: 'pem', type: 'pkcs8' });
    this.keyed = createHash('sha256').update('account-counters').update(secret).digest();
  }

  key(scope: string, email: string): string {
    return `${scope}:${createHmac('sha256', this.keyed).update(email).digest('hex')}`;
  }
}
