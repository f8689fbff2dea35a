import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Not, Repository } from 'typeorm';
import { validationFailed } from '../common/validation.js';
import { MailService } from '../mail/mail.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/client-ip.js';
import { revokeSessions } from '../sessions/revoke-sessions.js';
import { User } from '../users/user.entity.js';
import type { ChangePasswordDto } from './dto/change-password.dto.js';
import { passwordChangedMail } from './password-changed-mail.js';
import { PasswordCheckService } from './password-check.service.js';
import { PasswordHasherService } from './password-hasher.service.js';
import { passwordProblem, passwordProblemCode, samePassword } from './password-policy.js';

/** Work of a module above this one, run inside the transaction that sets a user's password. */
export type PasswordSetHook = (em: EntityManager, userId: number) => Promise<unknown>;

export interface SetPasswordOptions {
  /** Why the sessions end, and the event audited (`password.changed`, `password.reset`). */
  reason: 'password_changed' | 'password_reset';
  /** The session the change was made from, which stays signed in; without it every session ends. */
  keepSessionId?: number;
  /** The signed-in user who set it (themself), if the request was signed in. */
  actorId?: number;
  client: ClientInfo;
  /** The caller's own work, first in the same transaction: a reset spends its token there. */
  within?: (em: EntityManager) => Promise<unknown>;
}

/** The policy's refusal of a new password: a 422 on `new_password`. */
function assertAcceptable(password: string, email: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw validationFailed([{ field: 'new_password', message: `new_password ${problem}`, code: passwordProblemCode(problem) }]);
}

/** The one writer of password hashes: a new password (changed or reset), and the upgrade of an outdated hash. */
@Injectable()
export class PasswordsService {
  private readonly onSetHooks: PasswordSetHook[] = [];

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly hasher: PasswordHasherService,
    private readonly checks: PasswordCheckService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Adds work to every new password's transaction. Modules above this one that keep a secret a
   * new password must void (the account tokens) register here: passwords cannot import them.
   */
  onPasswordSet(hook: PasswordSetHook): void {
    this.onSetHooks.push(hook);
  }

  /**
   * Applies the policy, hashes outside any transaction (a hash may wait its turn behind logins),
   * then in one short transaction runs the caller's `within`, stores the hash, ends the user's
   * sessions (all but `keepSessionId`), runs the registered hooks and audits the change; then
   * mails the notice.
   */
  async set(user: Pick<User, 'id' | 'email'>, newPassword: string, options: SetPasswordOptions): Promise<void> {
    const { reason, keepSessionId, within } = options;
    assertAcceptable(newPassword, user.email);
    const hashedPassword = await this.hasher.hash(newPassword);
    const sessions = keepSessionId === undefined ? { userId: user.id } : { userId: user.id, id: Not(keepSessionId) };
    await this.users.manager.transaction(async (em) => {
      await within?.(em);
      await em.update(User, { id: user.id }, { hashedPassword });
      const ended = await revokeSessions(em, sessions, reason);
      for (const hook of this.onSetHooks) await hook(em, user.id);
      await this.audit.record(em, reason === 'password_changed' ? 'password.changed' : 'password.reset', {
        userId: user.id,
        actorId: options.actorId,
        client: options.client,
        details: { sessions_ended: ended },
      });
    });
    this.mail.send({ to: user.email, ...passwordChangedMail(new Date()) }, { kind: 'password_changed', userId: user.id });
  }

  /**
   * `POST /users/me/password`: applies the policy, checks the current password (within the
   * login's limits), refuses the same password again, and sets the new one; every other session
   * of the user ends.
   */
  async change(user: User, sessionId: number, dto: ChangePasswordDto, client: ClientInfo): Promise<void> {
    // Before the current password is checked: a refused new password spends no attempt.
    assertAcceptable(dto.new_password, user.email);
    await this.checks.confirmPasswordOf(user, dto.current_password, client);
    // Only now: before the check, "the same as the current one" would confirm a guess.
    if (samePassword(dto.new_password, dto.current_password)) {
      throw validationFailed([
        { field: 'new_password', message: 'new_password must differ from the current password', code: 'invalid_value' },
      ]);
    }
    await this.set(user, dto.new_password, { reason: 'password_changed', keepSessionId: sessionId, actorId: user.id, client });
  }

  /**
   * After a successful login with `password`: rehashes a hash made at an older cost. False when
   * the password changed meanwhile (the hash is only replaced if it is still the one verified).
   */
  async upgradeOutdatedHash(user: User, password: string): Promise<boolean> {
    if (!this.hasher.needsRehash(user.hashedPassword)) return true;
    const upgraded = await this.hasher.hash(password);
    // Only over the hash just verified: a password changed meanwhile must not be written back.
    const result = await this.users.update({ id: user.id, hashedPassword: user.hashedPassword }, { hashedPassword: upgraded });
    if (result.affected !== 1) return false;
    user.hashedPassword = upgraded;
    return true;
  }
}
