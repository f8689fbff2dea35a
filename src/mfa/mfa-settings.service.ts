import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/client-ip.js';
import { coded } from '../common/problem-codes.js';
import { mfaConfig, type MfaConfig } from '../config/mfa.config.js';
import { PasswordCheckService } from '../passwords/password-check.service.js';
import { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { RecoveryCodesOut } from './dto/recovery-codes-out.dto.js';
import { removeFactor, replaceRecoveryCodes } from './factor-writes.js';
import { MfaCodesService } from './mfa-codes.service.js';
import { MfaMailService } from './mfa-mail.service.js';

const notEnabled = () => new ConflictException(coded('mfa_not_enabled', 'MFA is not on for this account'));

/** MFA once it is on: turning it off (by the user, or by an admin for a lost device) and new recovery codes. */
@Injectable()
export class MfaSettingsService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @Inject(mfaConfig.KEY) private readonly keys: MfaConfig,
    private readonly checks: PasswordCheckService,
    private readonly codes: MfaCodesService,
    private readonly accounts: UsersService,
    private readonly mails: MfaMailService,
    private readonly audit: AuditService,
  ) {}

  /** Off, with the password and a code (TOTP or recovery), both checked like a login's. */
  async disable(user: User, password: string, code: string, client: ClientInfo): Promise<void> {
    if (!user.mfaEnabled) throw notEnabled();
    await this.checks.confirmPasswordOf(user, password, client);
    await this.codes.verify(user, code, client);
    await this.users.manager.transaction(async (em) => {
      await removeFactor(em, user.id);
      await this.audit.record(em, 'mfa.disabled', { userId: user.id, actorId: user.id, client });
    });
    this.mails.notify(user, 'disabled');
  }

  /** A new set of recovery codes for a code (TOTP or recovery); the earlier set stops working. */
  async regenerateRecoveryCodes(user: User, code: string, client: ClientInfo): Promise<RecoveryCodesOut> {
    if (!user.mfaEnabled) throw notEnabled();
    await this.codes.verify(user, code, client);
    const recoveryCodes = await this.users.manager.transaction(async (em) => {
      const codes = await replaceRecoveryCodes(em, this.keys.recoveryCodeKey, user.id);
      await this.audit.record(em, 'mfa.recovery_codes_regenerated', { userId: user.id, actorId: user.id, client });
      return codes;
    });
    this.mails.notify(user, 'recovery_codes_regenerated');
    return { recovery_codes: recoveryCodes };
  }

  /** An admin turns a user's MFA off (a lost device); 404 for an unknown user, 409 when it was off. */
  async resetByAdmin(userId: number, actorId: number, client: ClientInfo): Promise<void> {
    const user = await this.accounts.getById(userId);
    await this.users.manager.transaction(async (em) => {
      if (!(await removeFactor(em, userId))) throw notEnabled();
      await this.audit.record(em, 'admin.mfa_reset', { userId, actorId, client });
    });
    this.mails.notify(user, 'reset_by_admin');
  }
}
