import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { Repository } from 'typeorm';
import type { AuditService } from '../audit/audit.service.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import { AuthService, BAD_CREDENTIALS } from './auth.service.js';
import type { LoginFailuresService } from '../rate-limit/login-failures.service.js';
import type { EmailVerificationService } from '../account/email-verification.service.js';
import { EMAIL_NOT_VERIFIED } from './messages.js';
import { PasswordCheckService } from '../passwords/password-check.service.js';
import type { PasswordHasherService } from '../passwords/password-hasher.service.js';
import { PasswordsService } from '../passwords/passwords.service.js';

/** The decisions of `authenticate`, with the hasher and the user reads and writes replaced by recorders. */
function setUp(user: Partial<User> | null, { valid = true, outdated = false, requireEmailVerification = false } = {}) {
  const calls: string[] = [];
  const users = {
    findWithPasswordByEmail: async (email: string) => {
      calls.push(`find ${email}`);
      return user ? ({ id: 7, role: Role.User, isActive: true, hashedPassword: 'stored', ...user } as User) : null;
    },
  } as unknown as UsersService;
  const userRows = {
    update: async (where: { hashedPassword: string }, patch: { hashedPassword: string }) => (
      calls.push(`rehash ${where.hashedPassword} -> ${patch.hashedPassword}`),
      { affected: 1 }
    ),
  } as unknown as Repository<User>;
  const hasher = {
    verify: async () => (calls.push('verify'), valid),
    verifyDummy: async () => (calls.push('verifyDummy'), false as const),
    needsRehash: () => outdated,
    hash: async () => 'new-hash',
  } as unknown as PasswordHasherService;
  const unused = {} as never; // sessions and tokens play no part in authenticate
  const failures = {
    countAttempt: async (email: string) => {
      calls.push(`attempt ${email}`);
      return { succeeded: async () => void calls.push(`reset ${email}`) };
    },
  } as unknown as LoginFailuresService;
  const verification = {
    remind: async (u: User) => void calls.push(`remind ${u.id}`),
  } as unknown as EmailVerificationService;
  const audit = {
    recordAttempt: async (type: string, entry: { userId: number | null }) => void calls.push(`audit ${type} ${entry.userId}`),
  } as unknown as AuditService;
  const events = new SecurityEventsService();
  const checks = new PasswordCheckService(users, hasher, failures, unused, events, audit);
  const passwords = new PasswordsService(userRows, hasher, checks, unused, audit);
  const auth = new AuthService(
    users,
    hasher,
    unused,
    unused,
    checks,
    passwords,
    verification,
    { requireEmailVerification, todosPerUserMax: 10_000, sessionsPerUserMax: 50 },
    unused,
    events,
    audit,
    unused,
  );
  return { auth, calls };
}

const client = { ip: '203.0.113.7', userAgent: 'spec' };

describe('AuthService.authenticate', () => {
  it('looks the email up normalised and returns the user on a correct password', async () => {
    const { auth, calls } = setUp({});
    const user = await auth.authenticate('  Ada@Example.COM ', 'pw', client);
    assert.equal(user.id, 7);
    assert.deepEqual(calls, ['find ada@example.com', 'attempt ada@example.com', 'verify', 'reset ada@example.com']);
  });

  it("does not clear the account's count on a right password when a second factor is still to come", async () => {
    const { auth, calls } = setUp({ mfaEnabled: true });
    assert.equal((await auth.authenticate('ada@example.com', 'pw', client)).id, 7);
    assert.deepEqual(calls, ['find ada@example.com', 'attempt ada@example.com', 'verify']);
  });

  it('spends one dummy verification on an unknown email and gives the same 401', async () => {
    const { auth, calls } = setUp(null);
    await assert.rejects(auth.authenticate('nobody@example.com', 'pw', client), (e: unknown) => {
      assert.ok(e instanceof UnauthorizedException);
      assert.equal(e.message, BAD_CREDENTIALS);
      return true;
    });
    assert.deepEqual(calls, ['find nobody@example.com', 'attempt nobody@example.com', 'verifyDummy', 'audit login.failed null']);
  });

  it('gives the same 401 for a wrong password, audited on the account', async () => {
    const { auth, calls } = setUp({}, { valid: false });
    await assert.rejects(
      auth.authenticate('ada@example.com', 'bad', client),
      (e: unknown) => e instanceof UnauthorizedException && e.message === BAD_CREDENTIALS,
    );
    assert.deepEqual(calls, ['find ada@example.com', 'attempt ada@example.com', 'verify', 'audit login.failed 7']);
  });

  it('says an account is inactive only after the right password', async () => {
    await assert.rejects(setUp({ isActive: false }).auth.authenticate('a@x.io', 'pw', client), ForbiddenException);
    await assert.rejects(setUp({ isActive: false }, { valid: false }).auth.authenticate('a@x.io', 'bad', client), UnauthorizedException);
  });

  it('with verification required, refuses an unverified account only after the right password, and mails a fresh link', async () => {
    const unverified = setUp({ emailVerified: false }, { requireEmailVerification: true });
    await assert.rejects(
      unverified.auth.authenticate('a@x.io', 'pw', client),
      (e: unknown) => e instanceof ForbiddenException && e.message === EMAIL_NOT_VERIFIED,
    );
    assert.deepEqual(unverified.calls, ['find a@x.io', 'attempt a@x.io', 'verify', 'reset a@x.io', 'remind 7']);
    const wrong = setUp({ emailVerified: false }, { requireEmailVerification: true, valid: false });
    await assert.rejects(
      wrong.auth.authenticate('a@x.io', 'bad', client),
      (e: unknown) => e instanceof UnauthorizedException && e.message === BAD_CREDENTIALS,
    );
    assert.ok(!wrong.calls.some((c) => c.startsWith('remind')));
    assert.equal(
      (await setUp({ emailVerified: true }, { requireEmailVerification: true }).auth.authenticate('a@x.io', 'pw', client)).id,
      7,
    );
    assert.equal((await setUp({ emailVerified: false }).auth.authenticate('a@x.io', 'pw', client)).id, 7, 'not required: let in');
  });

  it('rehashes an outdated hash after a successful login, and only then', async () => {
    const upgraded = setUp({}, { outdated: true });
    await upgraded.auth.authenticate('a@x.io', 'pw', client);
    assert.deepEqual(upgraded.calls, ['find a@x.io', 'attempt a@x.io', 'verify', 'reset a@x.io', 'rehash stored -> new-hash']);
    const refused = setUp({}, { outdated: true, valid: false });
    await assert.rejects(refused.auth.authenticate('a@x.io', 'bad', client));
    assert.ok(!refused.calls.some((c) => c.startsWith('rehash')));
  });
});
