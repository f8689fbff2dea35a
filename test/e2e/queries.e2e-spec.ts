import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource, type FindOptionsOrder, ILike } from 'typeorm';
import { likeContains } from '../../src/common/pagination.dto.js';
import { mappedJsonSelect } from '../../src/database/mapped-json.js';
import { AccountQueries } from '../../src/account/account.queries.js';
import { AccountToken, AccountTokenPurpose } from '../../src/account/account-token.entity.js';
import { AuditEvent } from '../../src/audit/audit-event.entity.js';
import { RefreshToken } from '../../src/sessions/refresh-token.entity.js';
import { Session } from '../../src/sessions/session.entity.js';
import { SessionsQueries } from '../../src/sessions/sessions.queries.js';
import { ListTodosQueryDto, TODO_SORTS, type TodoSort } from '../../src/todos/dto/list-todos-query.dto.js';
import { toTodoOut } from '../../src/todos/dto/todo-out.dto.js';
import { TodoCount } from '../../src/todos/todo-count.entity.js';
import { Todo } from '../../src/todos/todo.entity.js';
import { TodosQueries } from '../../src/todos/todos.queries.js';
import { MfaQueries } from '../../src/mfa/mfa.queries.js';
import { TotpFactor } from '../../src/mfa/totp-factor.entity.js';
import { User } from '../../src/users/user.entity.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { signUp } from '../support/factories.js';

/**
 * Each `*.queries.ts` holds SQL written by hand for speed. Here each statement's answer is held
 * equal to what the repository and the response mapper give for the same rows, so SQL that
 * disagrees with its entity (a column missing, named or converted differently) fails.
 */
describe('hand-written SQL and the entities', () => {
  let t: TestApp;
  let db: DataSource;
  before(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
  });
  after(() => t.close());

  it('lists todos as the repository loads them and toTodoOut writes them, for every filter, sort and page', async () => {
    const [ada, bob] = [await signUp(t.http), await signUp(t.http)];
    const titles = ['apple', 'Banana split', 'quote " and \\ backslash', 'line\nbreak\ttab\u0001', 'ünïcödé 🍵', '100% _done_', 'apple'];
    for (const [i, title] of titles.entries()) {
      const body = { title, description: i % 2 ? null : `d${i}\u2028`, completed: i % 3 === 0 };
      assert.equal((await t.http.post('/todos').set(ada.auth).send(body)).status, 201);
    }
    await t.http.post('/todos').set(bob.auth).send({ title: 'apple' });
    // Every microsecond digit set, and ties on the sort keys, which the id breaks.
    await db.query(
      `UPDATE todos SET created_at = timestamptz '2026-03-04 05:06:07.999999+00' + (id % 3) * interval '1.000001 second',
                        updated_at = timestamptz '2026-03-04 05:06:07.000999+00'`,
    );
    const queries = t.app.get(TodosQueries);
    const todos = db.getRepository(Todo);
    const orders: Record<TodoSort, FindOptionsOrder<Todo>> = {
      created_at: { createdAt: 'ASC', id: 'ASC' },
      '-created_at': { createdAt: 'DESC', id: 'DESC' },
      title: { title: 'ASC', id: 'ASC' },
      '-title': { title: 'DESC', id: 'DESC' },
    };
    for (const sort of TODO_SORTS)
      for (const completed of [undefined, true, false])
        for (const q of [undefined, 'APPLE', '%'])
          for (const [limit, offset] of [
            [20, 0],
            [2, 1],
            [5, 100],
          ]) {
            const query = Object.assign(new ListTodosQueryDto(), { sort, completed, q, limit, offset });
            const label = JSON.stringify(query);
            const { json, page } = await queries.listJson(ada.id, query);
            const where = {
              ownerId: ada.id,
              ...(completed === undefined ? {} : { completed }),
              ...(q ? { title: ILike(likeContains(q)) } : {}),
            };
            const [rows, count] = await todos.findAndCount({ where, order: orders[sort], skip: offset, take: limit });
            assert.equal(json, JSON.stringify(rows.map(toTodoOut)), label);
            assert.deepEqual(page.total, { count, exact: true }, label);
            assert.equal(page.next !== undefined, offset + limit < count, label);
            // The pages after it, by cursor, are the rest of the repository's order.
            const rest: unknown[] = [];
            for (let next = page.next; next !== undefined;) {
              const after = await queries.listJson(
                ada.id,
                Object.assign(new ListTodosQueryDto(), { sort, completed, q, limit, cursor: next }),
              );
              rest.push(...JSON.parse(after.json));
              next = after.page.next;
            }
            const following = await todos.find({ where, order: orders[sort], skip: offset + limit });
            assert.deepEqual(rest, JSON.parse(JSON.stringify(following.map(toTodoOut))), label);
          }
  });

  it('writes todos with every column and answers with the row as the repository loads it', async () => {
    const user = await signUp(t.http);
    const queries = t.app.get(TodosQueries);
    const todos = db.getRepository(Todo);
    const created = await queries.insertCounted({ title: 'quote " ünïcödé 🍵', ownerId: user.id }, 2);
    assert.ok(created);
    assert.deepEqual(created, await todos.findOneBy({ id: created.id }));
    assert.deepEqual([created.description, created.completed], [null, false], 'the defaults');
    const inTransaction = await db.transaction((em) =>
      queries.insertCounted({ title: 'b', description: 'd', completed: true, ownerId: user.id }, 2, em),
    );
    assert.ok(inTransaction);
    assert.deepEqual(inTransaction, await todos.findOneBy({ id: inTransaction.id }));
    assert.equal(await queries.insertCounted({ title: 'c', ownerId: user.id }, 2), undefined, 'at the bound');
    assert.equal(await todos.countBy({ ownerId: user.id }), 2, 'nothing written beyond it');
    assert.equal((await db.getRepository(TodoCount).findOneByOrFail({ userId: user.id })).count, 2);
    for (const changes of [{ title: 'renamed' }, { description: null }, { completed: true, description: 'again' }] as Partial<Todo>[]) {
      const updated = await queries.update(user.id, created.id, changes);
      assert.ok(updated, JSON.stringify(changes));
      assert.deepEqual(updated, await todos.findOneBy({ id: created.id }), JSON.stringify(changes));
      assert.ok(updated.updatedAt > created.updatedAt, 'updated_at moves');
    }
    const other = await signUp(t.http);
    assert.equal(await queries.update(other.id, created.id, { title: 'not yours' }), undefined);
    assert.equal((await todos.findOneBy({ id: created.id }))?.title, 'renamed');
  });

  it('loads the user of a session as the repository loads the user', async () => {
    const user = await signUp(t.http);
    await db.query(
      `UPDATE users SET email_verified = true, role = 'admin', updated_at = updated_at + interval '1.5 second' WHERE id = $1`,
      [user.id],
    );
    const [{ id: sessionId }] = await db.query<{ id: number }[]>('SELECT id FROM sessions WHERE user_id = $1', [user.id]);
    const loaded = await t.app.get(SessionsQueries).findUserForSession(user.id, sessionId);
    assert.deepEqual(loaded, { user: await db.getRepository(User).findOneBy({ id: user.id }), sessionLive: true });
  });

  it('starts, locks and judges sessions in rows the entities read back', async () => {
    const user = await signUp(t.http);
    const queries = t.app.get(SessionsQueries);
    const users = db.getRepository(User);
    const { hashedPassword } = (await users.findOne({ where: { id: user.id }, select: { id: true, hashedPassword: true } }))!;
    const tokenHash = 'a'.repeat(64);
    const started = await queries.startSession({
      userId: user.id,
      verifiedHash: hashedPassword,
      ttlSeconds: 3600,
      userAgent: 'agent',
      ip: '192.0.2.1',
      tokenHash,
      sessionsMax: 50,
      mfa: true,
    });
    assert.ok(started?.sessionId, 'a session id');
    assert.deepEqual({ ...started, sessionId: 0 }, { current: true, isActive: true, sessionId: 0 });
    const session = await db.getRepository(Session).findOneByOrFail({ id: started.sessionId });
    assert.deepEqual(
      [session.userId, session.userAgent, session.ip, session.revokedAt, session.expiresAt > new Date()],
      [user.id, 'agent', '192.0.2.1', null, true],
    );
    const token = await db.getRepository(RefreshToken).findOneByOrFail({ tokenHash });
    assert.deepEqual([token.sessionId, token.usedAt], [started.sessionId, null]);
    const audited = () => db.getRepository(AuditEvent).find({ where: { userId: user.id, type: 'login.succeeded' }, order: { id: 'ASC' } });
    const [, event] = await audited(); // the first is the sign-up helper's login
    assert.deepEqual(
      [event.actorId, event.ip, event.userAgent, event.details, Math.abs(event.createdAt.getTime() - Date.now()) < 60_000],
      [null, '192.0.2.1', 'agent', { session_id: started.sessionId, mfa: true }, true],
      'the audit event written with the session',
    );
    const stale = await queries.startSession({
      ...{ userId: user.id, ttlSeconds: 60, userAgent: null, ip: null, sessionsMax: 50, mfa: false },
      verifiedHash: 'old',
      tokenHash: 'b'.repeat(64),
    });
    assert.deepEqual(stale, { current: false, isActive: true, sessionId: null }, 'no session beside a hash that changed');
    assert.equal((await audited()).length, 2, 'and no audit event');

    await db.transaction(async (em) => {
      assert.deepEqual(await queries.lockSessionOfToken(em, tokenHash), { id: started.sessionId, userId: user.id, userAgent: 'agent' });
      assert.equal(await queries.lockSessionOfToken(em, 'c'.repeat(64)), undefined);
    });
    await db.getRepository(RefreshToken).update({ tokenHash }, { usedAt: new Date(Date.now() - 2_000) });
    const facts = await db.transaction((em) => queries.spentTokenFacts(em, tokenHash));
    assert.ok(facts && facts.ageSeconds >= 1.9 && facts.ageSeconds < 60, JSON.stringify(facts));
    assert.deepEqual(
      { ...facts, ageSeconds: 0 },
      { sessionId: started.sessionId, userId: user.id, ageSeconds: 0, latestSpent: true, superseded: false },
    );
  });

  it('issues, finds and spends account tokens in rows the entity reads back', async () => {
    const user = await signUp(t.http);
    const queries = t.app.get(AccountQueries);
    const tokens = db.getRepository(AccountToken);
    const purpose = AccountTokenPurpose.PasswordReset;
    const issued = await db.transaction((em) => queries.issue(em, 'email', user.email, purpose, 'd'.repeat(64), 600));
    assert.deepEqual(issued, { userId: user.id, email: user.email });
    const again = await db.transaction((em) => queries.issue(em, 'id', user.id, purpose, 'e'.repeat(64), 600));
    assert.deepEqual(again, issued);
    const stored = await tokens.findBy({ userId: user.id, purpose });
    assert.deepEqual(
      stored.map((row) => [row.tokenHash, row.usedAt, Math.round((row.expiresAt.getTime() - Date.now()) / 60_000)]),
      [['e'.repeat(64), null, 10]],
      'the second replaced the first',
    );
    assert.equal(await db.transaction((em) => queries.issue(em, 'email', 'nobody@example.com', purpose, 'f'.repeat(64), 600)), undefined);
    assert.deepEqual(await queries.liveOwner('e'.repeat(64), purpose), issued);
    assert.equal(await queries.liveOwner('e'.repeat(64), AccountTokenPurpose.EmailVerification), undefined, 'bound to its purpose');
    assert.deepEqual(await db.transaction((em) => queries.spend(em, 'e'.repeat(64), purpose)), issued);
    assert.equal(await db.transaction((em) => queries.spend(em, 'e'.repeat(64), purpose)), undefined, 'spent once');
    assert.ok((await tokens.findOneByOrFail({ tokenHash: 'e'.repeat(64) })).usedAt instanceof Date);
    assert.equal(await queries.liveOwner('e'.repeat(64), purpose), undefined);
  });

  it('refuses to write as JSON a field that is not a column read as it is', () => {
    const todos = db.getRepository(Todo);
    assert.throws(() => mappedJsonSelect(todos, (todo) => ({ length: todo.title.length }), 'p'), /field "length"/);
    assert.throws(() => mappedJsonSelect(todos, (todo) => ({ owner: todo.owner }), 'p'), /field "owner"/);
    assert.throws(() => mappedJsonSelect(todos, (todo) => ({ id: todo.id, fixed: 1 }), 'p'), /field "fixed"/);
    const users = db.getRepository(User);
    assert.throws(() => mappedJsonSelect(users, (u) => ({ hash: u.hashedPassword }), 'p'), /field "hash"/, 'a select: false column');
  });

  it('writes a pending authenticator over a pending one, never over a confirmed one, as the entity reads it back', async () => {
    const user = await signUp(t.http);
    const queries = t.app.get(MfaQueries);
    const factors = db.getRepository(TotpFactor);
    const first = await queries.writePending(user.id, Buffer.from('first'));
    assert.ok(first);
    assert.deepEqual(first, await factors.findOneBy({ userId: user.id }));
    assert.deepEqual(
      [first.secretSealed, first.confirmedAt, first.lastUsedStep, first.failedAttempts],
      [Buffer.from('first'), null, null, 0],
    );
    await db.query(
      `UPDATE totp_factors SET created_at = created_at - interval '1 hour', last_used_step = 123, failed_attempts = 3 WHERE user_id = $1`,
      [user.id],
    );
    const { createdAt: shifted } = await factors.findOneByOrFail({ userId: user.id });
    const second = await queries.writePending(user.id, Buffer.from('second'));
    assert.ok(second);
    assert.deepEqual(second, await factors.findOneBy({ userId: user.id }));
    assert.deepEqual([second.secretSealed, second.lastUsedStep, second.failedAttempts], [Buffer.from('second'), null, 0], 'started afresh');
    assert.ok(second.createdAt > shifted, 'created_at moves');
    await factors.update({ userId: user.id }, { confirmedAt: new Date() });
    assert.equal(await queries.writePending(user.id, Buffer.from('third')), undefined, 'not over a confirmed one');
    assert.deepEqual((await factors.findOneByOrFail({ userId: user.id })).secretSealed, Buffer.from('second'));
  });
});
