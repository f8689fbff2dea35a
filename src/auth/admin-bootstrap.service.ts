import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { QueryFailedError } from 'typeorm';
import { authConfig, type AuthConfig } from '../config/configuration.js';
import { type AdminOutcome, UsersService } from '../users/users.service.js';
import { PasswordHasherService } from './password-hasher.service.js';
import { emailProblem, normalizeEmail, passwordProblem } from './password-policy.js';

/** The first admin: from `ADMIN_EMAIL` + `ADMIN_PASSWORD` at start-up, or from the CLI. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasherService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.config;
    if (!adminEmail || !adminPassword) return;
    // A deactivated bootstrap admin stays deactivated: an admin's decision outlives a redeploy.
    const outcome = await this.ensureAdmin(adminEmail, adminPassword, { reactivate: false });
    if (outcome === 'inactive') {
      this.logger.warn('The bootstrap admin account is deactivated; it was not reactivated');
    } else {
      this.logger.log(`Bootstrap admin ${outcome}`);
    }
  }

  /**
   * Creates the admin, or promotes an existing account (its password is kept) and, when
   * `reactivate` is set (the CLI), reactivates it.
   */
  async ensureAdmin(rawEmail: string, password: string, { reactivate = true } = {}): Promise<AdminOutcome> {
    const email = normalizeEmail(rawEmail);
    if (!isEmail(email) || email.length > 254) throw new Error(`"${rawEmail}" is not an email address`);
    const unfit = emailProblem(email);
    if (unfit) throw new Error(`The admin email ${unfit}`);
    const problem = passwordProblem(password, email);
    if (problem) throw new Error(`The admin password ${problem}`);
    const hash = () => this.hasher.hash(password);
    try {
      return await this.users.ensureAdmin(email, hash, reactivate);
    } catch (error) {
      // Another instance created the same account a moment ago: promote it instead.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        return this.users.ensureAdmin(email, hash, reactivate);
      }
      throw error;
    }
  }
}
