import { ConflictException, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, Not, Repository } from 'typeorm';
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

/** Why a code was refused: decided inside the transaction, answered after it. */
type Refusal = { refused: 'not_enabled' | 'wrong_totp' | 'wrong_recovery_code' } | { refused: 'locked'; failures: number };
type Outcome = { accepted: 'totp' } | { accepted: 'recovery'; remaining: number } | Refusal;

/** Rolls the caller's transaction back when the code is refused; `verifyWithin` answers the refusal. */
class CodeRefused extends Error {}

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
    return this.failures.countAttempt(normalizeEmail(user.email), (attempts) => this.auditThrottled(user, client, attempts));
  }

  /** Accepts `input`, a TOTP or an unused recovery code of `user`'s confirmed factor, or throws (401, 403 `mfa_locked`, 409, 429). */
  verify(user: Pick<User, 'id' | 'email'>, input: string, client: ClientInfo): Promise<AcceptedCode> {
    return this.verifyWithin(user, input, client, (spend) => spend(this.factors.manager));
  }

  /**
   * `verify` inside the transaction of a change that the code authorises: the attempt is counted
   * first (a 429 is audited and nothing starts), then `change` runs its own checks and calls
   * `spend` with its EntityManager, which checks and spends the code there. Whatever refuses the
   * change, before or after `spend`, rolls the spend back, so a refused change costs no code; the
   * attempt stays counted, and is cleared only once an accepted code's change has committed. A
   * refused code throws in `spend`, and once the transaction has rolled back it is counted and
   * audited on the pool: those writes must outlive the rollback, and the embedded database's one
   * connection is the transaction's until it ends.
   */
  async verifyWithin<T>(
    user: Pick<User, 'id' | 'email'>,
    input: string,
    client: ClientInfo,
    change: (spend: (em: EntityManager) => Promise<AcceptedCode>) => Promise<T>,
  ): Promise<T> {
    // Counted before the change's transaction: the counter store (Redis) can stall for its
    // timeout, and the locks the change takes (its row, the last-admin rule) must not wait on it.
    const attempt = await this.countAttempt(user, client);
    const state: { outcome?: Outcome } = {};
    let result: T;
    try {
      result = await change(async (em) => {
        const outcome = (state.outcome = await this.check(em, user, input, client));
        if ('refused' in outcome) throw new CodeRefused();
        return outcome.accepted;
      });
    } catch (error) {
      if (state.outcome && 'refused' in state.outcome) return this.refuse(user, state.outcome, client);
      throw error;
    }
    // A change that returned without calling `spend` checked no code: a caller's bug, never a success.
    if (!state.outcome) throw new Error('verifyWithin: the change did not spend the code');
    await attempt.succeeded();
    if ('remaining' in state.outcome) this.mails.notify(user, 'recovery_code_used', state.outcome.remaining);
    return result;
  }

  /** The step of `code` under the factor's secret, when it is the current one or adjacent, and after the last one used. */
  stepOf(factor: Pick<TotpFactor, 'userId' | 'secretSealed' | 'lastUsedStep'>, code: string): Promise<number | undefined> {
    const secret = open(this.keys.secretKey, factor.secretSealed, secretContext(factor.userId));
    return matchingStep(secret, code, Date.now(), factor.lastUsedStep === null ? undefined : Number(factor.lastUsedStep));
  }

  /**
   * What `input` is for the user's confirmed factor; a right code is spent with `em`, a refusal
   * writes nothing. A recovery code's writes go together: in a transaction of their own, or a
   * savepoint of `em`'s.
   */
  private async check(em: EntityManager, user: Pick<User, 'id'>, input: string, client: ClientInfo): Promise<Outcome> {
    const factor = await em.findOneBy(TotpFactor, { userId: user.id, confirmedAt: Not(IsNull()) });
    if (!factor) return { refused: 'not_enabled' };
    const totp = totpCodeShape(input);
    if (totp) {
      if (factor.failedAttempts >= MFA_FAILURE_CAP) return { refused: 'locked', failures: factor.failedAttempts };
      return (await this.acceptTotp(em, factor, totp)) ? { accepted: 'totp' } : { refused: 'wrong_totp' };
    }
    const recovery = normalizeRecoveryCode(input);
    const remaining = recovery === undefined ? undefined : await em.transaction((tx) => this.spendRecoveryCode(tx, user, recovery, client));
    return remaining === undefined ? { refused: 'wrong_recovery_code' } : { accepted: 'recovery', remaining };
  }

  /** A right code for a step after the last accepted one: that step becomes the last, and the failures start again. */
  private async acceptTotp(em: EntityManager, factor: TotpFactor, code: string): Promise<boolean> {
    const step = await this.stepOf(factor, code);
    if (step === undefined) return false;
    const advanced = await em
      .createQueryBuilder()
      .update(TotpFactor)
      .set({ lastUsedStep: String(step), failedAttempts: 0 })
      .where('user_id = :userId AND confirmed_at IS NOT NULL AND (last_used_step IS NULL OR last_used_step < :step)', {
        userId: factor.userId,
        step,
      })
      .execute();
    return advanced.affected === 1;
  }

  /** Spends the code, resets the failures and audits the use, in `em`'s transaction; the codes left, or undefined for a code unknown or spent. */
  private async spendRecoveryCode(
    em: EntityManager,
    user: Pick<User, 'id'>,
    code: string,
    client: ClientInfo,
  ): Promise<number | undefined> {
    const codeHash = hashRecoveryCode(this.keys.recoveryCodeKey, code);
    const spent = await em.update(RecoveryCode, { userId: user.id, codeHash, usedAt: IsNull() }, { usedAt: () => 'now()' });
    if (spent.affected !== 1) return undefined;
    await em.update(TotpFactor, { userId: user.id }, { failedAttempts: 0 });
    const left = await em.countBy(RecoveryCode, { userId: user.id, usedAt: IsNull() });
    await this.audit.record(em, 'mfa.recovery_code_used', { userId: user.id, actorId: user.id, client, details: { remaining: left } });
    return left;
  }

  private auditThrottled(user: Pick<User, 'id'>, client: ClientInfo, attempts: number): Promise<void> {
    return this.audit.recordAttempt('login.throttled', {
      userId: user.id,
      client,
      details: { attempts, during: 'mfa' },
      logAs: 'mfa_code_throttled',
    });
  }

  /** Answers a refused code: a wrong one counts on the factor, and mails the owner when the count reaches the cap. */
  private async refuse(user: Pick<User, 'id' | 'email'>, outcome: Refusal, client: ClientInfo): Promise<never> {
    if (outcome.refused === 'not_enabled') throw new ConflictException(coded('mfa_not_enabled', 'MFA is not on for this account'));
    if (outcome.refused === 'locked') {
      await this.audit.recordAttempt('mfa.code_failed', {
        userId: user.id,
        client,
        details: { reason: 'locked', failures: outcome.failures },
      });
      throw new ForbiddenException(coded('mfa_locked', 'Too many wrong codes: use a recovery code, or ask an admin to reset MFA'));
    }
    const counted = await this.factors
      .createQueryBuilder()
      .update()
      .set({ failedAttempts: () => 'failed_attempts + 1' })
      .where('user_id = :userId', { userId: user.id })
      .returning('failed_attempts')
      .execute();
    const failures = (counted.raw as { failed_attempts: number }[])[0]?.failed_attempts ?? 0;
    await this.audit.recordAttempt('mfa.code_failed', { userId: user.id, client, details: { reason: outcome.refused, failures } });
    if (failures === MFA_FAILURE_CAP) {
      this.securityEvents.record('mfa_failure_cap_reached', { userId: user.id });
      this.mails.notify(user, 'failure_cap');
    }
    throw new UnauthorizedException(coded('invalid_mfa_code', INVALID_MFA_CODE));
  }
}
