import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type supertest from 'supertest';
import { DataSource } from 'typeorm';
import { OFFSET_MAX, TOTAL_COUNT_CAP } from '../../src/common/list-page.js';
import { ListTodosQueryDto, TODO_SORTS, type TodoSort } from '../../src/todos/dto/list-todos-query.dto.js';
import { TodosQueries } from '../../src/todos/todos.queries.js';
import { ListUsersQueryDto } from '../../src/users/dto/list-users-query.dto.js';
import { UsersService } from '../../src/users/users.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, fieldsIn, signUp, signUpAdmin, type SignedIn } from '../support/factories.js';

const ORIGIN = 'http://localhost:5173';

interface Item {
  id: number;
  title: string;
  email: string;
}

/** Lists by cursor: GET /todos and GET /admin/users, paged by `Link` / `X-Next-Cursor`. */
describe('lists by cursor', () => {
  let t: TestApp;
  let db: DataSource;
  let ada: SignedIn;
  let bob: SignedIn;

  before(async () => {
    t = await startTestApp({ CORS_ORIGINS: ORIGIN });
    db = t.app.get(DataSource);
  });
  after(() => t.close());
  beforeEach(async () => {
    ada = await signUp(t.http);
    bob = await signUp(t.http);
  });
  afterEach(() => t.reset());

  const create = async (who: SignedIn, title: string, completed = false) => {
    const res = await t.http.post('/todos').set(who.auth).send({ title, completed });
    assert.equal(res.status, 201, res.text);
    return res.body as Item;
  };

  /** The next page's relative URL from `Link`, checked against `X-Next-Cursor`; undefined on the last page. */
  function nextLink(res: supertest.Response): string | undefined {
    const link = res.headers.link as string | undefined;
    const cursor = res.headers['x-next-cursor'] as string | undefined;
    if (link === undefined) {
      assert.equal(cursor, undefined, 'X-Next-Cursor without Link');
      return undefined;
    }
    const match = /^<(\/[^>]+)>; rel="next"$/.exec(link);
    assert.ok(match, `a relative rel="next" link: ${link}`);
    const url = new URL(match[1], 'http://relative.invalid');
    assert.equal(url.searchParams.get('cursor'), cursor);
    assert.equal(url.searchParams.has('offset'), false, 'the cursor holds the position');
    return match[1];
  }

  /** Follows `Link` from `url` to the last page; every page's items, in the order read. */
  async function walk(who: SignedIn, url: string): Promise<{ items: Item[]; pages: number }> {
    const items: Item[] = [];
    let pages = 0;
    for (let next: string | undefined = url; next !== undefined; pages += 1) {
      const res: supertest.Response = await t.http.get(next).set(who.auth);
      assert.equal(res.status, 200, res.text);
      items.push(...(res.body as Item[]));
      next = nextLink(res);
    }
    return { items, pages };
  }

  const titlesOf = (items: Item[]) => items.map((item) => item.title);

  it('walks every todo once, in order, in each sort, filtered or not', async () => {
    const titles = ['task b', 'Task a', 'chore c', 'TASK a', 'task á', 'chore a', 'task B', 'task b', 'Äsk task', 'chore b', 'task z'];
    for (const [i, title] of titles.entries()) await create(ada, title, i % 3 === 0);
    await create(bob, 'task of bob');
    // Ties on created_at too, which the id breaks; every microsecond digit set.
    await db.query(`UPDATE todos SET created_at = timestamptz '2026-03-04 05:06:07.123456+00' + (id % 4) * interval '1 microsecond'`);
    for (const sort of TODO_SORTS)
      for (const filter of ['', '&completed=false', '&q=TAS', '&completed=true&q=task']) {
        const query = `sort=${encodeURIComponent(sort)}${filter}`;
        const all = await t.http.get(`/todos?limit=100&${query}`).set(ada.auth);
        assert.equal(nextLink(all), undefined, 'one page holds them all');
        const { items, pages } = await walk(ada, `/todos?limit=3&${query}`);
        assert.deepEqual(items, all.body, query);
        assert.equal(pages, Math.max(1, Math.ceil(all.body.length / 3)), query);
        assert.ok(all.body.length >= 3, `${query} spans pages`);
      }
  });

  it('walks titles of any text by cursor, the longest included', async () => {
    const titles = ['\u0001'.repeat(200), '🍵'.repeat(100), 'quote " and \\ backslash', `${'é'.repeat(199)}x`, `${'é'.repeat(199)}y`];
    for (const title of titles) await create(ada, title);
    for (const sort of ['title', '-title']) {
      const all = await t.http.get(`/todos?limit=100&sort=${sort}`).set(ada.auth);
      const { items, pages } = await walk(ada, `/todos?limit=1&sort=${sort}`);
      assert.deepEqual(items, all.body, sort);
      assert.equal(pages, titles.length);
    }
  });

  it('walks the admin list once, in id order, with its filters and search', async () => {
    const admin = await signUpAdmin(t);
    for (let i = 0; i < 7; i += 1) await signUp(t.http, `member${i}@lists.example`);
    await db.query(`UPDATE users SET is_active = false WHERE email LIKE 'member%' AND id % 2 = 0`);
    for (const filter of ['', 'q=LISTS.example', 'is_active=true', 'q=member&is_active=false', 'role=user']) {
      const all = await t.http.get(`/admin/users?limit=100&${filter}`).set(admin.auth);
      assert.equal(all.status, 200);
      const { items } = await walk(admin, `/admin/users?limit=2&${filter}`);
      assert.deepEqual(items, all.body, filter);
      assert.deepEqual(
        items.map((u) => u.id),
        items.map((u) => u.id).sort((a, b) => a - b),
        filter,
      );
      assert.equal(all.headers['x-total-count'], String(all.body.length), filter);
    }
  });

  it('skips and repeats no row while todos are added and deleted between pages', async () => {
    const [t1, t2, t3, t4, t5, t6, t7, t8, t9] = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        db.query<Item[]>(
          `INSERT INTO todos (title, owner_id, created_at) VALUES ($1, $2, timestamptz '2026-01-01 00:00:00+00' + $3 * interval '1 minute') RETURNING id, title`,
          [`t${i + 1}`, ada.id, i + 1],
        ),
      ),
    ).then((rows) => rows.map(([row]) => row));
    const del = (todo: Item) => t.http.delete(`/todos/${todo.id}`).set(ada.auth).expect(204);

    const page1 = await t.http.get('/todos?sort=created_at&limit=3').set(ada.auth);
    assert.deepEqual(titlesOf(page1.body), titlesOf([t1, t2, t3]));
    await del(t2);
    await del(t5);
    const t10 = await create(ada, 't10');
    await db.query(`INSERT INTO todos (title, owner_id, created_at) VALUES ('t0', $1, timestamptz '2025-01-01 00:00:00+00')`, [ada.id]);
    const page2 = await t.http.get(nextLink(page1)!).set(ada.auth);
    assert.deepEqual(titlesOf(page2.body), titlesOf([t4, t6, t7]), 'where page 1 ended, whatever came and went before');
    await del(t4);
    await del(t8);
    const rest = await walk(ada, nextLink(page2)!);
    assert.deepEqual(titlesOf(rest.items), titlesOf([t9, t10]));

    // The same by title, descending: a title before the cursor's is not seen, one after it is.
    for (const title of ['m1', 'm2', 'm3', 'm4']) await create(bob, title);
    const first = await t.http.get('/todos?sort=-title&limit=2').set(bob.auth);
    assert.deepEqual(titlesOf(first.body), ['m4', 'm3']);
    await create(bob, 'm35');
    await create(bob, 'm25');
    const { items } = await walk(bob, nextLink(first)!);
    assert.deepEqual(titlesOf(items), ['m25', 'm2', 'm1']);
  });

  it('refuses with 422 a cursor altered or from another query', async () => {
    const admin = await signUpAdmin(t);
    for (const title of ['task 1', 'task 2', 'task 3']) await create(ada, title);
    await create(bob, 'task 4');
    const first = await t.http.get('/todos?limit=1&sort=title&q=task').set(ada.auth);
    const cursor = first.headers['x-next-cursor'];
    assert.match(cursor, /^[\w-]+\.[\w-]+$/);
    const [payload, mac] = cursor.split('.');
    const change = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const forged = `${Buffer.from(JSON.stringify(['task 0', 1])).toString('base64url')}.${mac}`;
    const cases: [SignedIn, string][] = [
      [ada, `/todos?limit=1&sort=title&q=task&cursor=${change(payload, 3)}.${mac}`],
      [ada, `/todos?limit=1&sort=title&q=task&cursor=${payload}.${change(mac, 5)}`],
      [ada, `/todos?limit=1&sort=title&q=task&cursor=${forged}`],
      [ada, `/todos?limit=1&sort=title&q=task&cursor=${payload}`],
      [ada, `/todos?limit=1&sort=title&q=task&cursor=${cursor}.${mac}`],
      [ada, '/todos?limit=1&sort=title&q=task&cursor=not-a-cursor'],
      [ada, '/todos?limit=1&sort=title&q=task&cursor='],
      [ada, `/todos?limit=1&sort=title&q=task&cursor=${encodeURIComponent(`${cursor} `)}`],
      [ada, `/todos?limit=1&sort=-title&q=task&cursor=${cursor}`],
      [ada, `/todos?limit=1&q=task&cursor=${cursor}`],
      [ada, `/todos?limit=1&sort=title&q=tasks&cursor=${cursor}`],
      [ada, `/todos?limit=1&sort=title&cursor=${cursor}`],
      [ada, `/todos?limit=1&sort=title&q=task&completed=false&cursor=${cursor}`],
      [bob, `/todos?limit=1&sort=title&q=task&cursor=${cursor}`],
      [admin, `/admin/users?limit=1&cursor=${cursor}`],
    ];
    for (const [who, url] of cases) {
      const problem = expectProblem(await t.http.get(url).set(who.auth), 422, /cursor/, 'invalid_cursor');
      assert.deepEqual(fieldsIn(problem), ['cursor'], url);
    }
    const users = await t.http.get('/admin/users?limit=1').set(admin.auth);
    const userCursor = users.headers['x-next-cursor'];
    for (const url of [`/admin/users?limit=1&role=user&cursor=${userCursor}`, `/admin/users?limit=1&q=example&cursor=${userCursor}`]) {
      assert.deepEqual(fieldsIn(expectProblem(await t.http.get(url).set(admin.auth), 422, /cursor/, 'invalid_cursor')), ['cursor'], url);
    }
    expectProblem(await t.http.get(`/todos?limit=1&cursor=${userCursor}`).set(ada.auth), 422, /cursor/, 'invalid_cursor');

    // The page size is not part of the query: a cursor serves any limit.
    const rest = await t.http.get(`/todos?limit=5&sort=title&q=task&cursor=${cursor}`).set(ada.auth);
    assert.deepEqual(titlesOf(rest.body), ['task 2', 'task 3']);
  });

  it('refuses a search shorter than 3 characters, and an offset past the bound or beside a cursor', async () => {
    const admin = await signUpAdmin(t);
    await create(ada, 'abc');
    for (const [who, url, field] of [
      [ada, '/todos?q=ab', 'q'],
      [ada, `/todos?q=${encodeURIComponent('é')}`, 'q'],
      [admin, '/admin/users?q=ex', 'q'],
      [admin, `/admin/users?q=${encodeURIComponent('  ex  ')}`, 'q'],
    ] as const) {
      const problem = expectProblem(await t.http.get(url).set(who.auth), 422);
      assert.deepEqual(fieldsIn(problem), [field], url);
    }
    assert.deepEqual(titlesOf((await t.http.get('/todos?q=ABC').set(ada.auth)).body), ['abc']);
    assert.equal((await t.http.get(`/admin/users?q=${encodeURIComponent(' EXAMPLE ')}`).set(admin.auth)).status, 200);

    for (const [who, path] of [
      [ada, '/todos'],
      [admin, '/admin/users'],
    ] as const) {
      const past = expectProblem(await t.http.get(`${path}?offset=${OFFSET_MAX + 1}`).set(who.auth), 422);
      assert.deepEqual(fieldsIn(past), ['offset']);
      assert.match(past.errors![0].message, /cursor/);
      const deepest = await t.http.get(`${path}?offset=${OFFSET_MAX}`).set(who.auth);
      assert.deepEqual([deepest.status, deepest.body], [200, []]);
    }
    await create(ada, 'abd');
    const first = await t.http.get('/todos?limit=1').set(ada.auth);
    const both = expectProblem(await t.http.get(`${nextLink(first)}&offset=1`).set(ada.auth), 422);
    assert.deepEqual(fieldsIn(both), ['cursor']);
  });

  it('sends Link and X-Next-Cursor, exposed to browsers, and continues after an offset by cursor', async () => {
    for (let i = 1; i <= 5; i += 1) await create(ada, `note ${i}`);
    const res = await t.http.get('/todos?limit=2&offset=1&sort=title&q=note').set(ada.auth).set('Origin', ORIGIN);
    assert.equal(res.headers['access-control-allow-origin'], ORIGIN);
    const exposed = String(res.headers['access-control-expose-headers']).split(/,\s*/);
    for (const header of ['Link', 'X-Next-Cursor', 'X-Total-Count', 'X-Total-Count-Exceeds']) assert.ok(exposed.includes(header), header);
    assert.deepEqual(titlesOf(res.body), ['note 2', 'note 3']);
    assert.equal(res.headers['x-total-count'], '5');
    const next = nextLink(res)!;
    assert.match(next, /^\/todos\?limit=2&sort=title&q=note&cursor=[\w.-]+$/);
    const { items } = await walk(ada, next);
    assert.deepEqual(titlesOf(items), ['note 4', 'note 5']);
    const last = await t.http.get(next).set(ada.auth);
    assert.equal(last.headers['x-total-count'], '5', 'the total, on every page');
    assert.equal(nextLink(last), undefined);
  });

  it('says the total exceeds the bound rather than count past it', async () => {
    await db.query(`INSERT INTO todos (title, owner_id, completed) SELECT 'bulk ' || g, $1, g <= 3 FROM generate_series(1, $2::int) g`, [
      ada.id,
      TOTAL_COUNT_CAP + 1,
    ]);
    const many = await t.http.get('/todos?limit=5').set(ada.auth);
    assert.equal(many.status, 200);
    assert.equal(many.headers['x-total-count'], undefined);
    assert.equal(many.headers['x-total-count-exceeds'], String(TOTAL_COUNT_CAP));
    assert.equal(many.body.length, 5);
    const deepest = await t.http.get(`/todos?limit=5&offset=${TOTAL_COUNT_CAP}`).set(ada.auth);
    assert.equal(deepest.body.length, 1, 'the last page by offset');
    assert.deepEqual([deepest.headers['x-total-count'], deepest.headers['x-total-count-exceeds']], [undefined, String(TOTAL_COUNT_CAP)]);
    const done = await t.http.get('/todos?completed=true').set(ada.auth);
    assert.deepEqual([done.headers['x-total-count'], done.headers['x-total-count-exceeds']], ['3', undefined]);
    await db.query(`DELETE FROM todos WHERE id IN (SELECT id FROM todos WHERE owner_id = $1 LIMIT 1)`, [ada.id]);
    const exact = await t.http.get('/todos?limit=5').set(ada.auth);
    assert.deepEqual([exact.headers['x-total-count'], exact.headers['x-total-count-exceeds']], [String(TOTAL_COUNT_CAP), undefined]);

    const admin = await signUpAdmin(t);
    await db.query(
      `INSERT INTO users (email, hashed_password) SELECT 'bulk' || g || '@lists.example', 'x' FROM generate_series(1, $1::int) g`,
      [TOTAL_COUNT_CAP],
    );
    const users = await t.http.get('/admin/users').set(admin.auth);
    assert.deepEqual([users.headers['x-total-count'], users.headers['x-total-count-exceeds']], [undefined, String(TOTAL_COUNT_CAP)]);
    // Ada, Bob, the admin and the bulk: the last page by offset tells a total past the bound, said as exceeding it.
    const deepestUsers = await t.http.get(`/admin/users?limit=5&offset=${TOTAL_COUNT_CAP}`).set(admin.auth);
    assert.equal(deepestUsers.body.length, 3, 'the last page by offset');
    assert.deepEqual(
      [deepestUsers.headers['x-total-count'], deepestUsers.headers['x-total-count-exceeds']],
      [undefined, String(TOTAL_COUNT_CAP)],
    );
    const admins = await t.http.get('/admin/users?role=admin').set(admin.auth);
    assert.deepEqual([admins.headers['x-total-count'], admins.headers['x-total-count-exceeds']], ['1', undefined]);
  });

  it('sorts titles in one collation, the same on every database, and searches them case-insensitively', async () => {
    const titles = ['banana', 'Apple', 'éclair', 'apple', 'Zebra', 'Äpfel', 'Eclair', '10 items', '9 items', 'zoo', 'ecl'];
    for (const title of titles) await create(ada, title);
    const sorted = ['10 items', '9 items', 'Äpfel', 'apple', 'Apple', 'banana', 'ecl', 'Eclair', 'éclair', 'Zebra', 'zoo'];
    assert.deepEqual(titlesOf((await t.http.get('/todos?sort=title').set(ada.auth)).body), sorted);
    assert.deepEqual(titlesOf((await t.http.get('/todos?sort=-title').set(ada.auth)).body), sorted.toReversed());
    assert.deepEqual(
      titlesOf(
        (
          await t.http
            .get('/todos?sort=title&limit=4')
            .set(ada.auth)
            .then((res) => walk(ada, nextLink(res)!))
        ).items,
      ),
      sorted.slice(4),
    );
    const search = async (q: string) => titlesOf((await t.http.get('/todos').query({ q, sort: 'title' }).set(ada.auth)).body);
    assert.deepEqual(await search('ÉCL'), ['éclair']);
    assert.deepEqual(await search('äPF'), ['Äpfel']);
    assert.deepEqual(await search('APP'), ['apple', 'Apple']);
  });
});

/**
 * The first page of each list shape, and the page after its cursor, planned on tables big enough
 * that the planner prefers an index when one serves: the page is read from the shape's index, and
 * the total's count is bounded by its `LIMIT` (whatever scan feeds it).
 */
describe('list plans', () => {
  let t: TestApp;
  let db: DataSource;
  let ownerId: number;

  before(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    ownerId = (await signUp(t.http)).id;
    await db.query(
      `INSERT INTO users (email, hashed_password, role, is_active)
       SELECT 'user' || g || '@plans.example', 'x', CASE WHEN g % 2000 = 0 THEN 'admin'::user_role ELSE 'user' END, g % 1000 <> 0
         FROM generate_series(1, 20000) g`,
    );
    await db.query(
      `INSERT INTO todos (title, owner_id, completed, created_at)
       SELECT md5(g::text), CASE WHEN g % 4 = 0 THEN $1 ELSE $1 + 1 + g % 5000 END, g % 2 = 0, now() - g * interval '1 second'
         FROM generate_series(1, 40000) g`,
      [ownerId],
    );
    // As autovacuum leaves them after a bulk load: statistics, and the GIN indexes' pending lists merged.
    await db.query('VACUUM ANALYZE users');
    await db.query('VACUUM ANALYZE todos');
  });
  after(() => t.close());

  interface PlanNode {
    'Node Type': string;
    'Index Name'?: string;
    'Parent Relationship'?: string;
    Plans?: PlanNode[];
  }

  /** The statement's plan: its nodes, the count's subplan apart (its `LIMIT` bounds it, whatever scan it picks). */
  async function plan(text: string, values: unknown[]): Promise<{ page: PlanNode[]; count: PlanNode[]; shown: string }> {
    const [row] = await db.query<Record<string, unknown>[]>(`EXPLAIN (FORMAT JSON) ${text}`, values);
    const value = Object.values(row)[0];
    const [{ Plan: root }] = (typeof value === 'string' ? JSON.parse(value) : value) as [{ Plan: PlanNode }];
    const page: PlanNode[] = [];
    const count: PlanNode[] = [];
    const visit = (node: PlanNode, into: PlanNode[]) => {
      into.push(node);
      for (const child of node.Plans ?? []) visit(child, child['Parent Relationship'] === 'InitPlan' ? count : into);
    };
    visit(root, page);
    return { page, count, shown: JSON.stringify(root, undefined, 1) };
  }

  /** The nodes that read a table or an index. */
  const scans = (nodes: PlanNode[]) =>
    nodes.filter((node) => /^(Seq|Index|Index Only|Bitmap Index|Tid|Tid Range) Scan$/.test(node['Node Type']));

  it('reads each /todos shape from its index', async () => {
    const queries = t.app.get(TodosQueries);
    const index: Record<TodoSort, string> = {
      created_at: 'IDX_todos_owner_created_id',
      '-created_at': 'IDX_todos_owner_created_id',
      title: 'IDX_todos_owner_title_id',
      '-title': 'IDX_todos_owner_title_id',
    };
    for (const sort of TODO_SORTS)
      for (const filters of [{}, { completed: true }]) {
        const query = Object.assign(new ListTodosQueryDto(), { sort, ...filters });
        const first = await queries.listJson(ownerId, query);
        for (const page of [query, Object.assign(new ListTodosQueryDto(), { ...query, cursor: first.page.next })]) {
          const { text, values } = queries.listStatement(ownerId, page);
          const { page: nodes, count, shown } = await plan(text, values);
          const label = `${JSON.stringify(page)}\n${shown}`;
          assert.deepEqual(
            scans(nodes).map((node) => [node['Node Type'], node['Index Name']]),
            [[scans(nodes)[0]['Node Type'], index[sort]]],
            label,
          );
          assert.match(scans(nodes)[0]['Node Type'], /^Index (Only )?Scan$/, label);
          assert.equal(count[0]?.['Node Type'], 'Aggregate', label);
          assert.ok(
            count.some((node) => node['Node Type'] === 'Limit'),
            label,
          );
        }
      }
    // A rare term, planned with its value as the app runs a search: only the owner's trigram matches are read.
    const { text, values } = queries.listStatement(ownerId, Object.assign(new ListTodosQueryDto(), { q: 'abcdef' }));
    const { page: nodes, shown } = await plan(text, values);
    assert.deepEqual(
      scans(nodes).map((node) => [node['Node Type'], node['Index Name']]),
      [['Bitmap Index Scan', 'IDX_todos_owner_title_trgm']],
      shown,
    );
  });

  it('reads each /admin/users shape from its index', async () => {
    const users = t.app.get(UsersService);
    for (const [filters, index] of [
      [{}, 'PK_users'],
      [{ role: 'admin' }, 'IDX_users_admins_id'],
      [{ is_active: false }, 'IDX_users_inactive_id'],
      [{ q: 'user4242@' }, 'IDX_users_email_trgm'],
    ] as const) {
      const query = Object.assign(new ListUsersQueryDto(), { limit: 5, ...filters });
      const first = await users.list(query);
      for (const page of [query, Object.assign(new ListUsersQueryDto(), { ...query, cursor: first.page.next })]) {
        const { page: rows, count } = users.listQueries(page);
        const read = await plan(...rows.getQueryAndParameters());
        const label = `${JSON.stringify(page)}\n${read.shown}`;
        assert.deepEqual(
          scans(read.page).map((node) => node['Index Name']),
          [index],
          label,
        );
        assert.ok(
          scans(read.page).every((node) => node['Node Type'] !== 'Seq Scan'),
          label,
        );
        const counted = await plan(...count.getQueryAndParameters());
        assert.ok(
          counted.page.some((node) => node['Node Type'] === 'Limit'),
          counted.shown,
        );
      }
    }
  });
});
