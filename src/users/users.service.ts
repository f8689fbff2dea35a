import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Not, type ObjectLiteral, Repository, type SelectQueryBuilder } from 'typeorm';
import type { AuditDetails } from '../audit/audit-event-types.js';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/client-ip.js';
import { ListCursors, type ListQuery } from '../common/list-cursors.js';
import type { ListPage } from '../common/list-page.js';
import { likeContains } from '../common/pagination.dto.js';
import { cappedCount, totalFromPageOrCount } from '../database/capped-count.js';
import type { ListUsersQueryDto } from './dto/list-users-query.dto.js';
import { revokeSessions } from '../sessions/revoke-sessions.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { Role } from './role.enum.js';
import { User } from './user.entity.js';
import { coded } from '../common/problem-codes.js';

/** Arbitrary key of the advisory lock that serialises changes which remove an active admin. */
const LAST_ADMIN_LOCK = 7_301_001;

/** Work of a module above this one, run inside the transaction that deactivates an account. */
export type DeactivationHook = (em: EntityManager, userId: number) => Promise<unknown>;

/** The signed-in account making a change to an account, and from where: what its audit event records. */
export interface Actor {
  id: number;
  client: ClientInfo;
}

@Injectable()
export class UsersService {
  private readonly deactivationHooks: DeactivationHook[] = [];

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly audit: AuditService,
    private readonly cursors: ListCursors,
  ) {}

  /** The one read that includes the password hash (`select: false` elsewhere). `email` must already be normalised. */
  findWithPasswordByEmail(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('user').addSelect('user.hashedPassword').where('user.email = :email', { email }).getOne();
  }

  /** Inserts a user; a taken email surfaces as the unique violation the error filter maps to 409. */
  create(email: string, hashedPassword: string, role = Role.User, emailVerified = false, em = this.users.manager): Promise<User> {
    return em.save(this.users.create({ email, hashedPassword, role, emailVerified }));
  }

  async getById(id: number): Promise<User> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new NotFoundException(coded('not_found', 'User not found'));
    return user;
  }

  /**
   * One page by id, after the cursor's id when there is one: a range of the primary key, or of a
   * partial index for the rare filters (admins, deactivated accounts), or the email's trigram
   * index for `q`. One row more than `limit` tells whether a next page exists; a page that holds
   * the list's last row tells the total, else it counts at most `TOTAL_COUNT_CAP + 1` matching rows.
   */
  async list(query: ListUsersQueryDto): Promise<{ users: User[]; page: ListPage }> {
    const { page, count, bound } = this.listQueries(query);
    const users = await page.getMany();
    const next = users.length > query.limit ? this.cursors.encode(bound, [users[query.limit - 1].id]) : undefined;
    return { users: users.slice(0, query.limit), page: { total: await totalFromPageOrCount(users.length, query, count), next } };
  }

  /** The list's two queries (also what the tests `EXPLAIN`), and the query its cursors are bound to. */
  listQueries(query: ListUsersQueryDto): { page: SelectQueryBuilder<User>; count: SelectQueryBuilder<ObjectLiteral>; bound: ListQuery } {
    const bound = { list: 'admin_users', q: query.q, role: query.role, is_active: query.is_active };
    const matching = this.users.createQueryBuilder('user');
    if (query.q) matching.andWhere('user.email ILIKE :q', { q: likeContains(query.q) });
    if (query.role) matching.andWhere('user.role = :role', { role: query.role });
    if (query.is_active !== undefined) matching.andWhere('user.isActive = :isActive', { isActive: query.is_active });
    const count = cappedCount(matching);
    const page = matching
      .orderBy('user.id', 'ASC')
      .offset(query.offset)
      .limit(query.limit + 1);
    if (query.cursor !== undefined) {
      const [afterId] = this.cursors.decode(bound, query.cursor, ['number']);
      page.andWhere('user.id > :afterId', { afterId });
    }
    return { page, count, bound };
  }

  /**
   * Adds work to every deactivation's transaction. Modules above this one that keep per-user
   * secrets (the account tokens) register here: users cannot import them.
   */
  onDeactivation(hook: DeactivationHook): void {
    this.deactivationHooks.push(hook);
  }

  /** Role and activation changes, audited; the last active admin can be neither demoted nor deactivated. */
  update(id: number, changes: UpdateUserDto, actor: Actor): Promise<User> {
    return this.users.manager.transaction(async (em) => {
      const user = await this.lockUser(em, id);
      const patch: Partial<User> = {};
      if (changes.role !== undefined) patch.role = changes.role;
      if (changes.is_active !== undefined) patch.isActive = changes.is_active;
      const after = { ...user, ...patch };
      if (after.role !== Role.Admin || !after.isActive) await this.assertNotLastAdmin(em, user);
      if (Object.keys(patch).length > 0) await em.update(User, { id }, patch);
      // Whoever is signed in as this user signs in again under the new role, or not at all.
      if (user.isActive && !after.isActive) {
        await revokeSessions(em, { userId: id }, 'account_deactivated');
        for (const hook of this.deactivationHooks) await hook(em, id);
      } else if (after.role !== user.role) await revokeSessions(em, { userId: id }, 'role_changed');
      const details: AuditDetails = {};
      if (patch.role !== undefined) details.role = patch.role;
      if (patch.isActive !== undefined) details.is_active = patch.isActive;
      if (Object.keys(details).length > 0)
        await this.audit.record(em, 'admin.user_updated', { userId: id, actorId: actor.id, client: actor.client, details });
      return Object.assign(user, patch);
    });
  }

  /**
   * Deletes a user and, through the foreign keys, everything they own (todos and their count,
   * sessions and refresh tokens, mailed tokens, idempotency records), audited as `event` (by an
   * admin, or by the user themself). The last active admin cannot be deleted. `confirm` runs in
   * the transaction once the user's row is locked and that rule holds, before the deletion: what
   * it writes commits with the deletion, and what it throws undoes both.
   */
  remove(
    id: number,
    actor: Actor,
    event: 'admin.user_deleted' | 'account.deleted' = 'admin.user_deleted',
    confirm?: (em: EntityManager) => Promise<unknown>,
  ): Promise<void> {
    return this.users.manager.transaction(async (em) => {
      const user = await this.lockUser(em, id);
      await this.assertNotLastAdmin(em, user);
      await confirm?.(em);
      await em.delete(User, { id });
      await this.audit.record(em, event, { userId: id, actorId: actor.id, client: actor.client });
    });
  }

  /**
   * Ends every session of the user at once (an admin's action), audited; an unknown user is a 404.
   * The user row is locked as every admin change locks it: a deletion running meanwhile is waited
   * for, and then this is the 404.
   */
  endAllSessions(id: number, actor: Actor): Promise<void> {
    return this.users.manager.transaction(async (em) => {
      await this.lockUser(em, id);
      const ended = await revokeSessions(em, { userId: id }, 'ended_by_admin');
      await this.audit.record(em, 'admin.sessions_revoked', {
        userId: id,
        actorId: actor.id,
        client: actor.client,
        details: { sessions_ended: ended },
      });
    });
  }

  /**
   * Makes `user` an admin, active or not, provided the account is still as the caller read and
   * checked it (role, activation, verification, password); false when it changed or went meanwhile.
   */
  promoteToAdmin(user: User, isActive: boolean): Promise<boolean> {
    const { id, role, emailVerified, hashedPassword } = user;
    return this.users.manager.transaction(async (em) => {
      const result = await em.update(
        User,
        { id, role, isActive: user.isActive, emailVerified, hashedPassword },
        { role: Role.Admin, isActive },
      );
      if (result.affected !== 1) return false;
      if (role !== Role.Admin) await revokeSessions(em, { userId: id }, 'role_changed');
      // The server's own change, from its configuration: no actor, no client.
      await this.audit.record(em, 'admin.user_updated', { userId: id, details: { role: Role.Admin, is_active: isActive } });
      return true;
    });
  }

  private async lockUser(em: EntityManager, id: number): Promise<User> {
    const user = await em.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!user) throw new NotFoundException(coded('not_found', 'User not found'));
    return user;
  }

  /**
   * Refuses to let `user`, if an active admin, stop being one when no other active admin exists.
   * Changes that would do so queue on one transaction-scoped lock, so two admins demoting each
   * other at once cannot both see the other as the remaining admin.
   */
  private async assertNotLastAdmin(em: EntityManager, user: User): Promise<void> {
    if (user.role !== Role.Admin || !user.isActive) return;
    await em.query('SELECT pg_advisory_xact_lock($1)', [LAST_ADMIN_LOCK]);
    const others = await em.countBy(User, { role: Role.Admin, isActive: true, id: Not(user.id) });
    if (others === 0) throw new ConflictException(coded('last_admin', 'The last active admin cannot be demoted, deactivated or deleted'));
  }
}
