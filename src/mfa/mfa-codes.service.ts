import { ConflictException, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/client-ip.js';
import { coded } from '../common/problem-codes.js';
import { mfaConfig, type MfaConfig } from '../config/mfa.config.js';
import { type LoginAttempt, LoginFailuresService } from '../rate-limit/login-failures.service.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { normalizeEmail } from '../users/email-address.js';
import type { User } from '../users/user.entity.js';
import { MfaMailService } from './mfa-mail.service.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes.js';
import { open } from './secret-box.js';
import { matchingStep, totpCodeShape } from './totp.js';
import { TotpFactor } from './totp-factor.entity.js';

/**
 * Wrong codes in a row after which authenticator codes are refused (NIST SP 800-63B: at most 100
 * failed attempts on an account). Recovery codes, 80 random bits each, stay accepted, and their
 * success resets the count; so does an admin's reset.
 */
export const MFA_FAILURE_CAP = 100;

export const INVALID_MFA_CODE = 'Invalid authentication code';

export type AcceptedCode = 'totp' | 'recovery';

/** The sealed secret's associated data: it opens only in its owner's row. */
export const secretContext = (userId: number) => `totp:${userId}`;

/**
 * Checks the codes of a confirmed second factor. Each check counts against the account's login
 * failures before anything is compared (so parallel guesses get no more tries than a sequence),
 * and a success clears that count. A TOTP code is accepted for one time step only: the step is
 * advanced by a conditional update, so a replay, or the same code sent twice at once, fails. A
 * recovery code is spent by a conditional update too. Wrong codes also add to the factor's
 * `failed_attempts`; reaching `MFA_FAILURE_CAP` mails the owner.
 */
@Injectable()
export class MfaCodesService {
  constructor(
    @InjectRepository(TotpFactor) private readonly factors: Repository<TotpFactor>,
    @Inject(mfaConfig.KEY) private readonly keys: MfaConfig,
    private readonly failures: LoginFailuresService,
    private readonly mails: MfaMailService,
    private readonly securityEvents: SecurityEventsService,
    private readonly audit: AuditService,
  ) {}

  /** Counts a code's check against the account's login failures, or refuses it (429) and audits the refusal. */
  countAttempt(user: Pick<User, 'id' | 'email'>, client: ClientInfo): Promise<LoginAttempt> {
    return this.failures.countAttempt(normalizeEmail(user.email), (attempts) =>
      this.audit.recordAttempt('login.throttled', {
        userId: user.id,
        client,
        details: { attempts, during: 'mfa' },
        logAs: 'mfa_code_throttled',
      }),
    );
  }

  /** Accepts `input`, a TOTP or an unused recovery code of `user`'s confirmed factor, or throws (401, 403 `mfa_locked`, 409, 429). */
  async verify(user: Pick<User, 'id' | 'email'>, input: string, client: ClientInfo): Promise<AcceptedCode> {
    const attempt = await this.countAttempt(user, client);
    const factor = await this.factors.findOneBy({ userId: user.id, confirmedAt: Not(IsNull()) });
    if (!factor) throw new ConflictException(coded('mfa_not_enabled', 'MFA is not on for this account'));
    const totp = totpCodeShape(input);
    const recovery = totp ? undefined : normalizeRecoveryCode(input);
    let accepted: AcceptedCode | undefined;
    if (totp) {
      if (factor.failedAttempts >= MFA_FAILURE_CAP) {
        await this.audit.recordAttempt('mfa.code_failed', {
          userId: user.id,
          client,
          details: { reason: 'locked', failures: factor.failedAttempts },
        });
        throw new ForbiddenException(coded('mfa_locked', 'Too many wrong codes: use a recovery code, or ask an admin to reset MFA'));
      }
      if (await this.acceptTotp(factor, totp)) accepted = 'totp';
    } else if (recovery && (await this.spendRecoveryCode(user, recovery, client))) accepted = 'recovery';
    if (!accepted) return this.refuse(user, totp ? 'wrong_totp' : 'wrong_recovery_code', client);
    await attempt.succeeded();
    return accepted;
  }

  /** The step of `code` under the factor's secret, when it is the current one or adjacent, and after the last one used. */
  stepOf(factor: Pick<TotpFactor, 'userId' | 'secretSealed' | 'lastUsedStep'>, code: string): Promise<number | undefined> {
    const secret = open(this.keys.secretKey, factor.secretSealed, secretContext(factor.userId));
    return matchingStep(secret, code, Date.now(), factor.lastUsedStep === null ? undefined : Number(factor.lastUsedStep));
  }

  /** A right code for a step after the last accepted one: that step becomes the last, and the failures start again. */
  private async acceptTotp(factor: TotpFactor, code: string): Promise<boolean> {
    const step = await this.stepOf(factor, code);
    if (step === undefined) return false;
    const advanced = await this.factors
      .createQueryBuilder()
      .update()
      .set({ lastUsedStep: String(step), failedAttempts: 0 })
      .where('user_id = :userId AND confirmed_at IS NOT NULL AND (last_used_step IS NULL OR last_used_step < :step)', {
        userId: factor.userId,
        step,
      })
      .execute();
    return advanced.affected === 1;
  }

  /** Spends the code, resets the failures and audits the use, in one transaction; false for a code unknown or spent. */
  private async spendRecoveryCode(user: Pick<User, 'id' | 'email'>, code: string, client: ClientInfo): Promise<boolean> {
    const codeHash = hashRecoveryCode(this.keys.recoveryCodeKey, code);
    const remaining = await this.factors.manager.transaction(async (em) => {
      const spent = await em.update(RecoveryCode, { userId: user.id, codeHash, usedAt: IsNull() }, { usedAt: () => 'now()' });
      if (spent.affected !== 1) return undefined;
      await em.update(TotpFactor, { userId: user.id }, { failedAttempts: 0 });
      const left = await em.countBy(RecoveryCode, { userId: user.id, usedAt: IsNull() });
      await this.audit.record(em, 'mfa.recovery_code_used', { userId: user.id, actorId: user.id, client, details: { remaining: left } });
      return left;
    });
    if (remaining === undefined) return false;
    this.mails.notify(user, 'recovery_code_used', remaining);
    return true;
  }

  /** Counts the failure on the factor, mails the owner when it reaches the cap, and refuses. */
  private async refuse(user: Pick<User, 'id' | 'email'>, reason: string, client: ClientInfo): Promise<never> {
    const counted = await this.factors
      .createQueryBuilder()
      .update()
      .set({ failedAttempts: () => 'failed_attempts + 1' })
      .where('user_id = :userId', { userId: user.id })
      .returning('failed_attempts')
      .execute();
    const failures = (counted.raw as { failed_attempts: number }[])[0]?.failed_attempts ?? 0;
    await this.audit.recordAttempt('mfa.code_failed', { userId: user.id, client, details: { reason, failures } });
    if (failures === MFA_FAILURE_CAP) {
      this.securityEvents.record('mfa_failure_cap_reached', { userId: user.id });
      this.mails.notify(user, 'failure_cap');
    }
    throw new UnauthorizedException(coded('invalid_mfa_code', INVALID_MFA_CODE));
  }
}
