import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource, type FindOptionsOrder, ILike } from 'typeorm';
import { likeContains } from '../../src/common/pagination.dto.js';
import { mappedJsonSelect } from '../../src/database/mapped-json.js';
import { SessionsQueries } from '../../src/sessions/sessions.queries.js';
import { ListTodosQueryDto, TODO_SORTS, type TodoSort } from '../../src/todos/dto/list-todos-query.dto.js';
import { toTodoOut } from '../../src/todos/dto/todo-out.dto.js';
import { Todo } from '../../src/todos/todo.entity.js';
import { TodosQueries } from '../../src/todos/todos.queries.js';
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
    const created = await queries.insert({ title: 'quote " ünïcödé 🍵', ownerId: user.id });
    assert.deepEqual(created, await todos.findOneBy({ id: created.id }));
    assert.deepEqual([created.description, created.completed], [null, false], 'the defaults');
    const inTransaction = await db.transaction((em) =>
      queries.insert({ title: 'b', description: 'd', completed: true, ownerId: user.id }, em),
    );
    assert.deepEqual(inTransaction, await todos.findOneBy({ id: inTransaction.id }));
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

  it('refuses to write as JSON a field that is not a column read as it is', () => {
    const todos = db.getRepository(Todo);
    assert.throws(() => mappedJsonSelect(todos, (todo) => ({ length: todo.title.length }), 'p'), /field "length"/);
    assert.throws(() => mappedJsonSelect(todos, (todo) => ({ owner: todo.owner }), 'p'), /field "owner"/);
    assert.throws(() => mappedJsonSelect(todos, (todo) => ({ id: todo.id, fixed: 1 }), 'p'), /field "fixed"/);
    const users = db.getRepository(User);
    assert.throws(() => mappedJsonSelect(users, (u) => ({ hash: u.hashedPassword }), 'p'), /field "hash"/, 'a select: false column');
  });
});
