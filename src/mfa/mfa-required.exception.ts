import { HttpStatus } from '@nestjs/common';
import { HttpExceptionWithHeaders } from '../common/http-exception-with-headers.js';
import type { ProblemExtensions } from '../common/problem.js';

export const MFA_REQUIRED = 'A code from the authenticator app is required: send it with the mfa_token to /auth/mfa/verify';

/** The password grant's answer for an account with a second factor: 403 `mfa_required`, carrying the `mfa_token`, never cached. */
export class MfaRequiredException extends HttpExceptionWithHeaders {
  constructor(mfaToken: string) {
    const extensions: ProblemExtensions = { mfa_token: mfaToken };
    super({ message: MFA_REQUIRED, code: 'mfa_required', extensions }, HttpStatus.FORBIDDEN, { 'cache-control': 'no-store' });
  }
}
