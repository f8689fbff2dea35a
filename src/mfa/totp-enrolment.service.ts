import { ConflictException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/client-ip.js';
import { coded } from '../common/problem-codes.js';
import { mfaConfig, type MfaConfig } from '../config/mfa.config.js';
import { PRODUCT } from '../mail/mail-layout.js';
import { PasswordCheckService } from '../passwords/password-check.service.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { revokeSessions } from '../sessions/revoke-sessions.js';
import { User } from '../users/user.entity.js';
import type { RecoveryCodesOut } from './dto/recovery-codes-out.dto.js';
import type { TotpSetupOut } from './dto/totp-setup-out.dto.js';
import { replaceRecoveryCodes } from './factor-writes.js';
import { INVALID_MFA_CODE, MfaCodesService, secretContext } from './mfa-codes.service.js';
import { MfaMailService } from './mfa-mail.service.js';
import { MfaQueries } from './mfa.queries.js';
import { seal } from './secret-box.js';
import { newTotpSecret, otpauthUri, totpCodeShape } from './totp.js';
import { TotpFactor } from './totp-factor.entity.js';

const alreadyEnabled = () => new ConflictException(coded('mfa_already_enabled', 'MFA is already on for this account'));
const setupRequired = () => new ConflictException(coded('mfa_setup_required', 'No MFA setup is pending: call /auth/mfa/totp/setup first'));

/**
 * Turning MFA on: a pending secret after the password is entered again (nothing changes for the
 * login yet), then a code from the app confirms it; the user's other sessions end and ten
 * recovery codes are handed over once.
 */
@Injectable()
export class TotpEnrolmentService {
  constructor(
    @InjectRepository(TotpFactor) private readonly factors: Repository<TotpFactor>,
    @Inject(mfaConfig.KEY) private readonly keys: MfaConfig,
    private readonly checks: PasswordCheckService,
    private readonly codes: MfaCodesService,
    private readonly queries: MfaQueries,
    private readonly mails: MfaMailService,
    private readonly securityEvents: SecurityEventsService,
    private readonly audit: AuditService,
  ) {}

  /** A new pending secret (replacing an earlier pending one); 409 once MFA is on. */
  async setup(user: User, password: string, client: ClientInfo): Promise<TotpSetupOut> {
    if (user.mfaEnabled) throw alreadyEnabled();
    await this.checks.confirmPasswordOf(user, password, client);
    const secret = newTotpSecret();
    const written = await this.queries.writePending(user.id, seal(this.keys.secretKey, secret, secretContext(user.id)));
    if (!written) throw alreadyEnabled();
    this.securityEvents.record('mfa_setup_started', { userId: user.id });
    return { secret, otpauth_uri: otpauthUri(secret, PRODUCT, user.email) };
  }

  /**
   * Confirms the pending secret with a code of the app (counted like a login attempt): MFA is on,
   * that code's step counts as used, the other sessions end, and the recovery codes are returned.
   */
  async confirm(user: User, sessionId: number, input: string, client: ClientInfo): Promise<RecoveryCodesOut> {
    if (user.mfaEnabled) throw alreadyEnabled();
    const attempt = await this.codes.countAttempt(user, client);
    const pending = await this.factors.findOneBy({ userId: user.id, confirmedAt: IsNull() });
    if (!pending) throw setupRequired();
    const code = totpCodeShape(input);
    const step = code === undefined ? undefined : await this.codes.stepOf(pending, code);
    if (step === undefined) {
      await this.audit.recordAttempt('mfa.code_failed', { userId: user.id, client, details: { reason: 'wrong_totp_at_confirm' } });
      throw new UnauthorizedException(coded('invalid_mfa_code', INVALID_MFA_CODE));
    }
    const recoveryCodes = await this.factors.manager.transaction(async (em) => {
      // Only the secret this code was checked against: a setup since then replaced it.
      const confirmed = await em
        .createQueryBuilder()
        .update(TotpFactor)
        .set({ confirmedAt: () => 'now()', lastUsedStep: String(step), failedAttempts: 0 })
        .where('user_id = :userId AND confirmed_at IS NULL AND secret_sealed = :sealed', {
          userId: user.id,
          sealed: Buffer.from(pending.secretSealed),
        })
        .execute();
      if (confirmed.affected !== 1) return undefined;
      await em.update(User, { id: user.id }, { mfaEnabled: true });
      const ended = await revokeSessions(em, { userId: user.id, id: Not(sessionId) }, 'mfa_enabled');
      await this.audit.record(em, 'mfa.enabled', { userId: user.id, actorId: user.id, client, details: { sessions_ended: ended } });
      return replaceRecoveryCodes(em, this.keys.recoveryCodeKey, user.id);
    });
    if (!recoveryCodes) throw setupRequired();
    await attempt.succeeded();
    this.mails.notify(user, 'enabled');
    return { recovery_codes: recoveryCodes };
  }
}
