import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { IdempotencyPurgeService } from '../../src/idempotency/idempotency-purge.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, fieldsIn, signUp, type SignedIn } from '../support/factories.js';
import { type LostAnswerProxy, startAppBehindLostAnswerProxy } from '../support/lost-answer-proxy.js';

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
      const body = expectProblem(
        await t.http
          .post('/todos')
          .set(ada.auth)
          .send({ title: 'x', ...extra }),
        422,
      );
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
    assert.equal(
      (
        await t.http
          .post('/todos')
          .set(ada.auth)
          .send({ title: 'x'.repeat(200), description: 'y'.repeat(2000) })
      ).status,
      201,
    );
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
    for (const [i, title] of titles.entries())
      await create(ada, { title, description: i % 2 ? null : `d${i}\u2028`, completed: i % 3 === 0 });
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

  it('refuses ids that are not integers from 1 to 2^53 − 1 with 422', async () => {
    for (const id of ['abc', '0', '-1', '1.5', '1e3', '01', '9007199254740992', '99999999999999999999', '%20']) {
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

describe('todos with an Idempotency-Key', () => {
  let t: TestApp;
  let proxy: LostAnswerProxy;
  let ada: SignedIn;

  let close: () => Promise<void>;
  before(async () => ({ t, proxy, close } = await startAppBehindLostAnswerProxy()));
  after(() => close());
  beforeEach(async () => {
    ada = await signUp(t.http);
  });
  afterEach(() => t.reset());

  const post = (who: SignedIn, key: string, body: object) => t.http.post('/todos').set(who.auth).set('Idempotency-Key', key).send(body);
  const titles = async (who: SignedIn) => (await t.http.get('/todos').set(who.auth)).body as { id: number; title: string }[];

  it('creates the todo once when its answer was lost and the request is retried with the same key', async () => {
    const lost = fetch(`${proxy.url}/todos`, {
      method: 'POST',
      headers: { ...ada.auth, 'Content-Type': 'application/json', 'Idempotency-Key': 'create-milk-1' },
      body: JSON.stringify({ title: 'Buy milk', description: 'semi-skimmed' }),
    });
    await assert.rejects(lost, 'the proxy loses the answer');
    // The same body with its keys in another order is the same request.
    const retry = await post(ada, 'create-milk-1', { description: 'semi-skimmed', title: 'Buy milk' });
    assert.equal(retry.status, 201, retry.text);
    const todos = await titles(ada);
    assert.equal(todos.length, 1, 'one todo, not two');
    assert.equal(retry.body.id, todos[0].id);
    assert.deepEqual(await proxy.lastAnswer(), { status: 201, body: retry.body }, 'the retry gets the answer that was lost');
    assert.deepEqual(retry.body, (await t.http.get(`/todos/${retry.body.id}`).set(ada.auth)).body);
    const again = await post(ada, '"create-milk-1"', { title: 'Buy milk', description: 'semi-skimmed' });
    assert.equal(again.status, 201);
    assert.equal(again.text, retry.text, 'the quoted form of a key is the same key');
    assert.equal((await titles(ada)).length, 1);
  });

  it('refuses a key used with another request with 422, and keeps keys per user', async () => {
    assert.equal((await post(ada, 'k-1', { title: 'first' })).status, 201);
    expectProblem(await post(ada, 'k-1', { title: 'second' }), 422, 'This Idempotency-Key was used with another request');
    const bob = await signUp(t.http);
    const bobs = await post(bob, 'k-1', { title: 'second' });
    assert.equal(bobs.status, 201, 'another user’s key is not ada’s');
    assert.deepEqual(
      (await titles(ada)).map((todo) => todo.title),
      ['first'],
    );
    assert.deepEqual(
      (await titles(bob)).map((todo) => todo.title),
      ['second'],
    );
  });

  it('refuses a malformed key with 422 and creates nothing', async () => {
    for (const key of ['', '""', 'x'.repeat(256), 'caf\u00e9', '"unterminated', '"a"b"', '"bad \\escape"']) {
      const problem = expectProblem(await post(ada, key, { title: 'x' }), 422);
      assert.deepEqual(fieldsIn(problem), ['Idempotency-Key'], key);
    }
    assert.equal((await post(ada, 'x'.repeat(255), { title: 'x' })).status, 201);
    assert.equal((await titles(ada)).length, 1);
  });

  it('forgets keys after 24 hours: an expired key starts a new request, and the purge deletes it', async () => {
    const first = await post(ada, 'old', { title: 'x' });
    const dataSource = t.app.get(DataSource);
    await dataSource.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second'`);
    const second = await post(ada, 'old', { title: 'x' });
    assert.equal(second.status, 201);
    assert.notEqual(second.body.id, first.body.id);
    await dataSource.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second'`);
    assert.equal(await t.app.get(IdempotencyPurgeService).purge(), 1);
    const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM idempotency_keys');
    assert.equal(count, 0);
  });

  it('documents the header on POST /todos', async () => {
    const doc = (await t.http.get('/openapi.json')).body;
    const header = doc.paths['/todos'].post.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key');
    assert.equal(header?.in, 'header');
    assert.equal(header?.required, false);
    assert.ok(doc.paths['/todos'].post.responses['409']);
  });
});
