import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, ILike, Repository } from 'typeorm';
import { likeContains } from '../common/pagination.dto.js';
import type { ListUsersQueryDto } from './dto/list-users-query.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { Role } from './role.enum.js';
import { User } from './user.entity.js';

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: number): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** The one read that includes the password hash. `email` must already be normalised. */
  findWithPasswordByEmail(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('user')
      .addSelect('user.hashedPassword')
      .where('user.email = :email', { email })
      .getOne();
  }

  /** Inserts a user; a taken email surfaces as the unique violation the error filter maps to 409. */
  create(email: string, hashedPassword: string, role = Role.User): Promise<User> {
    return this.users.save(this.users.create({ email, hashedPassword, role }));
  }

  async setPasswordHash(id: number, hashedPassword: string): Promise<void> {
    await this.users.update({ id }, { hashedPassword });
  }

  async getById(id: number): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new NotFoundException('User not found');
    return user;
  }

  list(query: ListUsersQueryDto): Promise<[User[], number]> {
    return this.users.findAndCount({
      where: {
        ...(query.q ? { email: ILike(likeContains(query.q.trim().toLowerCase())) } : {}),
        ...(query.role ? { role: query.role } : {}),
        ...(query.is_active !== undefined ? { isActive: query.is_active } : {}),
      },
      order: { id: 'ASC' },
      skip: query.offset,
      take: query.limit,
    });
  }

  /** Role and activation changes; the last active admin can be neither demoted nor deactivated. */
  update(id: number, changes: UpdateUserDto): Promise<User> {
    return this.users.manager.transaction(async (em) => {
      const user = await this.lockForAdminChange(em, id);
      const stopsBeingAdmin =
        (changes.role !== undefined && changes.role !== Role.Admin) || changes.is_active === false;
      if (stopsBeingAdmin) await this.assertNotLastAdmin(em, user);
      if (changes.role !== undefined) user.role = changes.role;
      if (changes.is_active !== undefined) user.isActive = changes.is_active;
      return em.save(user);
    });
  }

  /** Deletes a user and, through the foreign keys, everything they own. */
  remove(id: number): Promise<void> {
    return this.users.manager.transaction(async (em) => {
      const user = await this.lockForAdminChange(em, id);
      await this.assertNotLastAdmin(em, user);
      await em.delete(User, { id });
    });
  }

  /**
   * Creates the account as an admin, or promotes and reactivates it if it exists; the password of
   * an existing account is left as it is. Used by start-up bootstrap and the CLI.
   */
  async ensureAdmin(email: string, hashPassword: () => Promise<string>): Promise<'created' | 'promoted' | 'unchanged'> {
    const existing = await this.users.findOneBy({ email });
    if (!existing) {
      await this.create(email, await hashPassword(), Role.Admin);
      return 'created';
    }
    if (existing.role === Role.Admin && existing.isActive) return 'unchanged';
    await this.users.update({ id: existing.id }, { role: Role.Admin, isActive: true });
    return 'promoted';
  }

  /**
   * Locks the active admins (in id order, so concurrent changes queue instead of deadlocking) and
   * then the target row.
   */
  private async lockForAdminChange(em: EntityManager, id: number): Promise<User> {
    await em
      .createQueryBuilder(User, 'u')
      .select('u.id')
      .where('u.role = :role AND u.is_active', { role: Role.Admin })
      .orderBy('u.id')
      .setLock('pessimistic_write')
      .getMany();
    const user = await em.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!user) throw new NotFoundException('User not found');
    return user;
  }

  private async assertNotLastAdmin(em: EntityManager, user: User): Promise<void> {
    if (user.role !== Role.Admin || !user.isActive) return;
    const activeAdmins = await em.countBy(User, { role: Role.Admin, isActive: true });
    if (activeAdmins <= 1) throw new ConflictException('The last active admin cannot be demoted, deactivated or deleted');
  }
}
