import { Injectable } from '@nestjs/common';
import type { ClientInfo } from '../common/client-ip.js';
import { validationFailed } from '../common/validation.js';
import { MfaCodesService } from '../mfa/mfa-codes.service.js';
import { PasswordCheckService } from '../passwords/password-check.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { DeleteAccountDto } from './dto/delete-account.dto.js';

@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly checks: PasswordCheckService,
    private readonly users: UsersService,
    private readonly codes: MfaCodesService,
  ) {}

  /**
   * `POST /users/me/delete`: the password is checked as a change of password checks it (the
   * login's limits, the same 401), then the account and everything it owns go in one transaction
   * that also writes the `account.deleted` event, which keeps the account's id and not its email.
   * With MFA on, `code` (a TOTP or a recovery code) is checked after the password, as a login
   * checks it, and spent with the deletion. The last active admin cannot delete their account
   * (409), and keeps the code.
   */
  async deleteOwn(user: User, dto: DeleteAccountDto, client: ClientInfo): Promise<void> {
    await this.checks.confirmPasswordOf(user, dto.password, client);
    const actor = { id: user.id, client };
    if (!user.mfaEnabled) return this.users.remove(user.id, actor, 'account.deleted');
    if (dto.code === undefined) throw validationFailed([{ field: 'code', message: 'code is required when MFA is on', code: 'required' }]);
    // The code is spent inside the deletion's transaction, after the last-admin rule, so a refused
    // deletion rolls it back. Checking the rule first, outside, would not do: two admins deleting
    // themselves at once would each pass it while the other is there, each spend a code, and the
    // one that then waits on the rule's lock behind the other's deletion would get its 409 with
    // its code gone.
    await this.codes.verifyWithin(user, dto.code, client, (spend) => this.users.remove(user.id, actor, 'account.deleted', spend));
  }
}
