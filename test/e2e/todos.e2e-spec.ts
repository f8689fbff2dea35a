import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, fieldsIn, signUp, type SignedIn } from '../support/factories.js';

describe('todos', () => {
  let t: TestApp;
  let ada: SignedIn;
  let bob: SignedIn;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());
  beforeEach(async () => {
    ada = await signUp(t.http);
    bob = await signUp(t.http);
  });
  afterEach(() => t.reset());

  const create = async (who: SignedIn, body: object) => {
    const res = await t.http.post('/todos').set(who.auth).send(body);
    assert.equal(res.status, 201, res.text);
    return res.body as { id: number; title: string; created_at: string };
  };

  it('creates a todo owned by the caller with defaults', async () => {
    const res = await t.http.post('/todos').set(ada.auth).send({ title: 'Buy milk' });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body).sort(), ['completed', 'created_at', 'description', 'id', 'owner_id', 'title', 'updated_at']);
    assert.equal(res.body.owner_id, ada.id);
    assert.equal(res.body.completed, false);
    assert.equal(res.body.description, null);
    const get = await t.http.get(`/todos/${res.body.id}`).set(ada.auth);
    assert.deepEqual(get.body, res.body);
  });

  it('refuses owner_id, id and unknown fields with 422', async () => {
    for (const extra of [{ owner_id: bob.id }, { id: 7 }, { created_at: '2020-01-01' }]) {
      const body = expectProblem(await t.http.post('/todos').set(ada.auth).send({ title: 'x', ...extra }), 422);
      assert.deepEqual(fieldsIn(body), Object.keys(extra));
    }
    const [{ count }] = await t.app.get(DataSource).query('SELECT count(*)::int AS count FROM todos');
    assert.equal(count, 0);
  });

  it('validates title and description lengths and types', async () => {
    const cases: [object, string][] = [
      [{}, 'title'],
      [{ title: '' }, 'title'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ title: 5 }, 'title'],
      [{ title: 'ok', description: 'x'.repeat(2001) }, 'description'],
      [{ title: 'ok', completed: 'yes' }, 'completed'],
      [{ title: 'nul\u0000byte' }, 'title'],
      [{ title: 'ok', description: 'nul\u0000byte' }, 'description'],
      [{ title: 'lone \ud800 surrogate' }, 'title'],
    ];
    for (const [body, field] of cases) {
      assert.deepEqual(fieldsIn(expectProblem(await t.http.post('/todos').set(ada.auth).send(body), 422)), [field]);
    }
    assert.equal((await t.http.post('/todos').set(ada.auth).send({ title: 'x'.repeat(200), description: 'y'.repeat(2000) })).status, 201);
  });

  it('lists only the caller’s todos, paginated, with X-Total-Count', async () => {
    for (let i = 1; i <= 25; i += 1) await create(ada, { title: `task ${String(i).padStart(2, '0')}`, completed: i % 5 === 0 });
    await create(bob, { title: 'bob task' });

    const first = await t.http.get('/todos').set(ada.auth);
    assert.equal(first.status, 200);
    assert.equal(first.headers['x-total-count'], '25');
    assert.equal(first.body.length, 20);
    assert.ok(first.body.every((todo: { owner_id: number }) => todo.owner_id === ada.id));
    assert.equal(first.body[0].title, 'task 25', 'newest first by default');

    const page = await t.http.get('/todos?limit=10&offset=20').set(ada.auth);
    assert.equal(page.body.length, 5);
    assert.equal(page.headers['x-total-count'], '25');
    const past = await t.http.get('/todos?limit=10&offset=40&completed=false').set(ada.auth);
    assert.deepEqual(past.body, [], 'a page past the end is empty');
    assert.equal(past.headers['x-total-count'], '20', 'and still carries the filtered total');
    const none = await t.http.get('/todos?q=nothing-matches').set(ada.auth);
    assert.deepEqual([none.body, none.headers['x-total-count']], [[], '0']);

    const done = await t.http.get('/todos?completed=true').set(ada.auth);
    assert.equal(done.headers['x-total-count'], '5');
    assert.ok(done.body.every((todo: { completed: boolean }) => todo.completed));

    const open = await t.http.get('/todos?completed=false&limit=100').set(ada.auth);
    assert.equal(open.body.length, 20);
  });

  it('lists each todo exactly as it reads on its own, whatever its text and timestamps hold', async () => {
    const titles = ['plain', 'quote " and \\ backslash', 'line\nbreak\ttab\u0001control', 'ünïcödé 🍵 中文', '</script><b>', ' spaced '];
    for (const [i, title] of titles.entries()) await create(ada, { title, description: i % 2 ? null : `d${i}\u2028`, completed: i % 3 === 0 });
    // Timestamps with every microsecond digit set, and a millisecond boundary, read back as the entity path reads them.
    const db = t.app.get(DataSource);
    await db.query(
      `UPDATE todos SET created_at = timestamptz '2026-03-04 05:06:07.999999+00' + (id % 7) * interval '1.000001 second',
                        updated_at = timestamptz '2026-03-04 05:06:07.000999+00' WHERE owner_id = $1`,
      [ada.id],
    );
    const list = await t.http.get('/todos?limit=100').set(ada.auth);
    assert.equal(list.status, 200);
    assert.equal(list.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(list.headers['x-total-count'], String(titles.length));
    assert.equal(list.body.length, titles.length);
    assert.equal(list.text, JSON.stringify(list.body), 'written as JSON.stringify writes it: same key order, no whitespace');
    for (const item of list.body as { id: number }[]) {
      const one = await t.http.get(`/todos/${item.id}`).set(ada.auth);
      assert.deepEqual(item, one.body);
    }
    assert.deepEqual((list.body as { title: string }[]).map((todo) => todo.title).sort(), [...titles].sort());
    assert.equal((list.body as { updated_at: string }[])[0].updated_at, '2026-03-04T05:06:07.000Z');
  });

  it('sorts by title or creation time in either direction', async () => {
    for (const title of ['banana', 'apple', 'cherry']) await create(ada, { title });
    const titles = async (sort: string) =>
      (await t.http.get(`/todos?sort=${encodeURIComponent(sort)}`).set(ada.auth)).body.map((x: { title: string }) => x.title);
    assert.deepEqual(await titles('title'), ['apple', 'banana', 'cherry']);
    assert.deepEqual(await titles('-title'), ['cherry', 'banana', 'apple']);
    assert.deepEqual(await titles('created_at'), ['banana', 'apple', 'cherry']);
    assert.deepEqual(await titles('-created_at'), ['cherry', 'apple', 'banana']);
  });

  it('searches titles case-insensitively and treats wildcards literally', async () => {
    for (const title of ['Buy MILK', 'milkshake', '100% done', '100 percent', 'under_score', 'underXscore']) await create(ada, { title });
    const search = async (q: string) =>
      (await t.http.get('/todos').query({ q, sort: 'title' }).set(ada.auth)).body.map((x: { title: string }) => x.title);
    assert.deepEqual(await search('milk'), ['Buy MILK', 'milkshake']);
    assert.deepEqual(await search('100%'), ['100% done']);
    assert.deepEqual(await search('under_'), ['under_score']);
    assert.deepEqual(await search("'; DROP TABLE todos; --"), []);
  });

  it('refuses out-of-range or unknown query parameters with 422', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['offset=-1', 'offset'],
      ['completed=maybe', 'completed'],
      ['sort=owner_id', 'sort'],
      ['sort=id;DROP', 'sort'],
      ['owner_id=1', 'owner_id'],
      [`q=${'x'.repeat(201)}`, 'q'],
      ['q=%00', 'q'],
      ['limit=1e1', 'limit'],
      ['limit=0x10', 'limit'],
      ['limit=10.0', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['constructor=x', 'constructor'],
    ]) {
      const body = expectProblem(await t.http.get(`/todos?${query}`).set(ada.auth), 422);
      assert.deepEqual(fieldsIn(body), [field], query);
    }
  });

  it('updates any subset of fields and bumps updated_at', async () => {
    const todo = await create(ada, { title: 'draft', description: 'notes' });
    const res = await t.http.patch(`/todos/${todo.id}`).set(ada.auth).send({ completed: true });
    assert.equal(res.status, 200);
    assert.equal(res.body.completed, true);
    assert.equal(res.body.title, 'draft');
    assert.equal(res.body.description, 'notes');
    assert.equal(res.body.owner_id, ada.id);
    assert.equal(res.body.id, todo.id);
    assert.ok(Date.parse(res.body.updated_at) >= Date.parse(todo.created_at));

    const cleared = await t.http.patch(`/todos/${todo.id}`).set(ada.auth).send({ description: null, title: 'final' });
    assert.equal(cleared.body.description, null);
    assert.equal(cleared.body.title, 'final');

    const unchanged = await t.http.patch(`/todos/${todo.id}`).set(ada.auth).send({});
    assert.equal(unchanged.status, 200);
    assert.equal(unchanged.body.title, 'final');
    assert.deepEqual((await t.http.get(`/todos/${todo.id}`).set(ada.auth)).body, unchanged.body);
  });

  it('refuses null title or completed, and owner_id, on update without changing anything', async () => {
    const todo = await create(ada, { title: 'keep me' });
    for (const body of [{ title: null }, { completed: null }, { owner_id: bob.id }, { title: '' }]) {
      expectProblem(await t.http.patch(`/todos/${todo.id}`).set(ada.auth).send(body), 422);
    }
    const after = await t.http.get(`/todos/${todo.id}`).set(ada.auth);
    assert.equal(after.body.title, 'keep me');
    assert.equal(after.body.owner_id, ada.id);
  });

  it('answers 404 for another user’s todo on read, update and delete, and leaves it alone', async () => {
    const bobs = await create(bob, { title: 'private' });
    expectProblem(await t.http.get(`/todos/${bobs.id}`).set(ada.auth), 404, 'Todo not found');
    expectProblem(await t.http.patch(`/todos/${bobs.id}`).set(ada.auth).send({ title: 'hacked' }), 404);
    expectProblem(await t.http.patch(`/todos/${bobs.id}`).set(ada.auth).send({}), 404);
    expectProblem(await t.http.delete(`/todos/${bobs.id}`).set(ada.auth), 404);
    const still = await t.http.get(`/todos/${bobs.id}`).set(bob.auth);
    assert.equal(still.body.title, 'private');
    const missing = await t.http.get('/todos/999999').set(ada.auth);
    assert.deepEqual(missing.body.detail, 'Todo not found');
  });

  it('accepts a bodyless DELETE that still says Content-Type: application/json', async () => {
    const todo = await create(ada, { title: 'fetch wrapper' });
    const res = await t.http.delete(`/todos/${todo.id}`).set(ada.auth).set('Content-Type', 'application/json');
    assert.equal(res.status, 204);
  });

  it('deletes a todo once', async () => {
    const todo = await create(ada, { title: 'gone soon' });
    assert.equal((await t.http.delete(`/todos/${todo.id}`).set(ada.auth)).status, 204);
    expectProblem(await t.http.delete(`/todos/${todo.id}`).set(ada.auth), 404);
    expectProblem(await t.http.get(`/todos/${todo.id}`).set(ada.auth), 404);
  });

  it('refuses ids that are not positive 32-bit integers with 422', async () => {
    for (const id of ['abc', '0', '-1', '1.5', '1e3', '01', '2147483648', '99999999999999999999', '%20']) {
      const body = expectProblem(await t.http.get(`/todos/${id}`).set(ada.auth), 422);
      assert.deepEqual(fieldsIn(body), ['id'], id);
    }
  });

  it('requires a token on every route', async () => {
    const todo = await create(ada, { title: 'x' });
    for (const req of [
      t.http.get('/todos'),
      t.http.post('/todos').send({ title: 'x' }),
      t.http.get(`/todos/${todo.id}`),
      t.http.patch(`/todos/${todo.id}`).send({ title: 'y' }),
      t.http.delete(`/todos/${todo.id}`),
    ]) {
      expectProblem(await req, 401);
    }
  });
});
