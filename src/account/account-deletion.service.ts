import { Injectable } from '@nestjs/common';
import type { ClientInfo } from '../common/client-ip.js';
import { PasswordCheckService } from '../passwords/password-check.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { DeleteAccountDto } from './dto/delete-account.dto.js';

@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly checks: PasswordCheckService,
    private readonly users: UsersService,
  ) {}

  /**
   * `POST /users/me/delete`: the password is checked as a change of password checks it (the
   * login's limits, the same 401), then the account and everything it owns go in one transaction
   * that also writes the `account.deleted` event, which keeps the account's id and not its email.
   * The last active admin cannot delete their account (409).
   */
  async deleteOwn(user: User, dto: DeleteAccountDto, client: ClientInfo): Promise<void> {
    await this.checks.confirmPasswordOf(user, dto.password, client);
    await this.users.remove(user.id, { id: user.id, client }, 'account.deleted');
  }
}
