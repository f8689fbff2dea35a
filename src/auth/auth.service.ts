import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { UsersService } from '../users/users.service.js';
import type { User } from '../users/user.entity.js';
import type { RegisterDto } from './dto/register.dto.js';
import { PasswordHasherService } from './password-hasher.service.js';
import { normalizeEmail } from './password-policy.js';

export const BAD_CREDENTIALS = 'Incorrect email or password';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasherService,
  ) {}

  async register(dto: RegisterDto): Promise<User> {
    return this.users.create(dto.email, await this.hasher.hash(dto.password));
  }

  /**
   * One argon2 verification whether or not the email exists, and one answer for both failures;
   * only a correct password learns that the account is inactive. Outdated hashes are upgraded.
   */
  async authenticate(email: string, password: string): Promise<User> {
    const user = await this.users.findWithPasswordByEmail(normalizeEmail(email));
    const valid = user
      ? await this.hasher.verify(user.hashedPassword, password)
      : await this.hasher.verifyDummy(password);
    if (!user || !valid) throw new UnauthorizedException(BAD_CREDENTIALS);
    if (!user.isActive) throw new ForbiddenException('Inactive account');
    if (this.hasher.needsRehash(user.hashedPassword)) {
      await this.users.setPasswordHash(user.id, await this.hasher.hash(password));
    }
    return user;
  }
}
