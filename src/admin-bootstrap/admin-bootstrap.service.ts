import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { QueryFailedError } from 'typeorm';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { Role } from '../users/role.enum.js';
import { UsersService } from '../users/users.service.js';
import { adminRefusalMessage, AdminRefusedError } from './admin-refused.error.js';
import { PasswordHasherService } from '../passwords/password-hasher.service.js';
import { passwordProblem } from '../passwords/password-policy.js';
import { emailProblem, normalizeEmail } from '../users/email-address.js';

export type AdminOutcome = 'created' | 'promoted' | 'unchanged' | 'inactive';

const isUniqueViolation = (error: unknown) =>
  error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';

/** The first admin: from `ADMIN_EMAIL` + `ADMIN_PASSWORD` at start-up, or from the CLI. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasherService,
    private readonly securityEvents: SecurityEventsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.config;
    if (!adminEmail || !adminPassword) return;
    let outcome: AdminOutcome;
    try {
      // A deactivated bootstrap admin stays deactivated: an admin's decision outlives a redeploy.
      outcome = await this.ensureAdmin(adminEmail, adminPassword, { reactivate: false });
    } catch (error) {
      // Refusing to start would let whoever registers the address first keep every instance down.
      if (!(error instanceof AdminRefusedError)) throw error;
      const wording = { address: 'ADMIN_EMAIL', password: 'ADMIN_PASSWORD', another: 'another ADMIN_EMAIL' };
      this.securityEvents.record(
        'admin_bootstrap_refused',
        { userId: error.userId, reason: error.reason },
        { level: 'error', message: adminRefusalMessage(error.reason, wording) },
      );
      return;
    }
    if (outcome === 'inactive') {
      this.logger.warn('The bootstrap admin account is deactivated; it was not reactivated');
    } else {
      this.logger.log(`Bootstrap admin ${outcome}`);
    }
  }

  /**
   * Creates the admin, or promotes an existing account (its password is kept) and, when
   * `reactivate` is set (the CLI), reactivates it. An existing account that is not yet an admin
   * must be verified and `password` must be its password; otherwise AdminRefusedError.
   */
  async ensureAdmin(rawEmail: string, password: string, { reactivate = true } = {}): Promise<AdminOutcome> {
    const email = normalizeEmail(rawEmail);
    if (!isEmail(email) || email.length > 254) throw new Error(`"${rawEmail}" is not an email address`);
    const unfit = emailProblem(email);
    if (unfit) throw new Error(`The admin email ${unfit}`);
    const problem = passwordProblem(password, email);
    if (problem) throw new Error(`The admin password ${problem}`);
    let outcome: AdminOutcome | undefined;
    try {
      outcome = await this.decide(email, password, reactivate);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    // Another instance created the account, or someone changed it, a moment ago: decide again on what is there now.
    outcome ??= await this.decide(email, password, reactivate);
    if (!outcome) throw new Error(`The account of ${email} changed while it was being promoted; run again`);
    return outcome;
  }

  /** The outcome, or undefined when the account changed between the checks and the promotion. */
  private async decide(email: string, password: string, reactivate: boolean): Promise<AdminOutcome | undefined> {
    const existing = await this.users.findWithPasswordByEmail(email);
    if (!existing) {
      // The operator vouches for the address they configured: no verification mail needed.
      await this.users.create(email, await this.hasher.hash(password), Role.Admin, true);
      return 'created';
    }
    const isActive = existing.isActive || reactivate;
    if (existing.role === Role.Admin) {
      // Already made an admin by an operator or another admin: there is nothing to take over.
      if (existing.isActive === isActive) return isActive ? 'unchanged' : 'inactive';
    } else {
      if (!existing.emailVerified) throw new AdminRefusedError('not_verified', existing.id, email);
      const own = await this.hasher.verify(existing.hashedPassword, password);
      if (!own) throw new AdminRefusedError('password_differs', existing.id, email);
    }
    if (!(await this.users.promoteToAdmin(existing, isActive))) return undefined;
    return isActive ? 'promoted' : 'inactive';
  }
}
