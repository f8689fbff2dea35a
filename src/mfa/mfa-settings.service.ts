import { ConflictException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { coded } from '../common/problem-codes.js';
import { mfaConfig, type MfaConfig } from '../config/mfa.config.js';
import { PasswordCheckService } from '../passwords/password-check.service.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { RecoveryCodesOut } from './dto/recovery-codes-out.dto.js';
import { removeFactor, replaceRecoveryCodes } from './factor-writes.js';
import { MfaCodesService } from './mfa-codes.service.js';
import { MfaMailService } from './mfa-mail.service.js';
import { WRONG_PASSWORD } from './totp-enrolment.service.js';

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
    private readonly securityEvents: SecurityEventsService,
  ) {}

  /** Off, with the password and a code (TOTP or recovery), both checked like a login's. */
  async disable(user: User, password: string, code: string, clientIp: string): Promise<void> {
    if (!user.mfaEnabled) throw notEnabled();
    if (!(await this.checks.verifyPasswordFor(user, password, clientIp))) {
      throw new UnauthorizedException(coded('invalid_current_password', WRONG_PASSWORD));
    }
    await this.codes.verify(user, code);
    await this.users.manager.transaction((em) => removeFactor(em, user.id));
    this.securityEvents.record('mfa_disabled', { userId: user.id });
    this.mails.notify(user, 'disabled');
  }

  /** A new set of recovery codes for a code (TOTP or recovery); the earlier set stops working. */
  async regenerateRecoveryCodes(user: User, code: string): Promise<RecoveryCodesOut> {
    if (!user.mfaEnabled) throw notEnabled();
    await this.codes.verify(user, code);
    const recoveryCodes = await this.users.manager.transaction((em) => replaceRecoveryCodes(em, this.keys.recoveryCodeKey, user.id));
    this.securityEvents.record('mfa_recovery_codes_regenerated', { userId: user.id });
    this.mails.notify(user, 'recovery_codes_regenerated');
    return { recovery_codes: recoveryCodes };
  }

  /** An admin turns a user's MFA off (a lost device); 404 for an unknown user, 409 when it was off. */
  async resetByAdmin(userId: number, actorId: number): Promise<void> {
    const user = await this.accounts.getById(userId);
    const wasOn = await this.users.manager.transaction((em) => removeFactor(em, userId));
    if (!wasOn) throw notEnabled();
    this.securityEvents.record('mfa_reset_by_admin', { actorId, userId });
    this.mails.notify(user, 'reset_by_admin');
  }
}
