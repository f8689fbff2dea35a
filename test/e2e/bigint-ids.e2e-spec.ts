import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { BigintIds1796201000000 } from '../../migrations/1796201000000-BigintIds.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectProblem, PASSWORD, signUp, signUpAdmin, type SignedIn } from '../support/factories.js';

const PAST_INT32 = 3_000_000_000;
const ID_MAX = Number.MAX_SAFE_INTEGER;

/** Every `"id":…` and `"owner_id":…` in a JSON text, as written: a number, never a string. */
function assertNumericIds(text: string, at: string): void {
  assert.doesNotMatch(text, /"(id|owner_id)":"/, `${at}: ids as strings in ${text}`);
}

describe('bigint ids', () => {
  let t: TestApp;
  let db: DataSource;
  before(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
  });
  after(() => t.close());
  afterEach(() => t.reset());

  const login = async (email: string) => {
    const res = await t.http.post('/auth/login').type('form').send({ username: email, password: PASSWORD });
    assert.equal(res.status, 200, res.text);
    return res.body as { access_token: string; refresh_token: string };
  };
  const sidOf = (accessToken: string) => (jwt.decode(accessToken) as { sid: unknown }).sid;

  it('answers with todo ids as JSON numbers on every route that returns a todo, and pages over them by cursor', async () => {
    await db.query(`ALTER TABLE todos ALTER COLUMN id RESTART WITH ${PAST_INT32}`);
    const ada = await signUp(t.http);
    const answers: [string, { status: number; text: string; body: { id?: unknown } }][] = [];
    for (const title of ['one', 'two', 'three'])
      answers.push([`POST /todos ${title}`, await t.http.post('/todos').set(ada.auth).send({ title })]);
    const keyed = () => t.http.post('/todos').set(ada.auth).set('Idempotency-Key', 'wide').send({ title: 'keyed' });
    answers.push(['POST /todos with an Idempotency-Key', await keyed()]);
    answers.push(['POST /todos, its retry', await keyed()]);
    const ids = answers.map(([, res]) => res.body.id as number);
    assert.deepEqual(ids, [PAST_INT32, PAST_INT32 + 1, PAST_INT32 + 2, PAST_INT32 + 3, PAST_INT32 + 3]);
    const id = ids[1];
    answers.push(['GET /todos/{id}', await t.http.get(`/todos/${id}`).set(ada.auth)]);
    answers.push(['PATCH /todos/{id}', await t.http.patch(`/todos/${id}`).set(ada.auth).send({ completed: true })]);
    for (const [at, res] of answers) {
      assert.ok(res.status === 200 || res.status === 201, `${at}: ${res.status} ${res.text}`);
      assert.equal(typeof res.body.id, 'number', at);
      assertNumericIds(res.text, at);
    }

    for (const sort of ['created_at', '-created_at', 'title', '-title']) {
      const seen: number[] = [];
      let url: string | undefined = `/todos?limit=1&sort=${sort}`;
      while (url) {
        const page: { status: number; text: string; body: { id: number }[]; headers: Record<string, string> } = await t.http
          .get(url)
          .set(ada.auth);
        assert.equal(page.status, 200, page.text);
        assertNumericIds(page.text, url);
        seen.push(...page.body.map((todo) => todo.id));
        url = /^<([^>]+)>; rel="next"$/.exec(String(page.headers.link ?? ''))?.[1];
      }
      assert.deepEqual([...seen].sort(), [...new Set(ids)].sort(), `${sort}: each todo once`);
    }

    assert.equal((await t.http.delete(`/todos/${id}`).set(ada.auth)).status, 204);
    expectProblem(await t.http.get(`/todos/${id}`).set(ada.auth), 404);
  });

  it('carries session ids as numbers: in the access token, the session list, and the routes that end one', async () => {
    await db.query(`ALTER TABLE sessions ALTER COLUMN id RESTART WITH ${PAST_INT32}`);
    const ada = await signUp(t.http);
    const phone = await login(ada.email);
    const laptop = await login(ada.email);
    assert.equal(sidOf(ada.token), PAST_INT32);
    assert.equal(sidOf(phone.access_token), PAST_INT32 + 1);
    const auth = { Authorization: `Bearer ${phone.access_token}` };
    assert.equal((await t.http.get('/users/me').set(auth)).status, 200);

    const list = await t.http.get('/auth/sessions').set(auth);
    assert.equal(list.status, 200, list.text);
    assertNumericIds(list.text, 'GET /auth/sessions');
    const sessions = list.body as { id: number; current: boolean }[];
    assert.deepEqual(sessions.map((s) => s.id).sort(), [PAST_INT32, PAST_INT32 + 1, PAST_INT32 + 2]);
    assert.deepEqual(
      sessions.filter((s) => s.current).map((s) => s.id),
      [PAST_INT32 + 1],
    );

    const refreshed = await t.http.post('/auth/refresh').send({ refresh_token: phone.refresh_token });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal(sidOf(refreshed.body.access_token), PAST_INT32 + 1);
    assert.equal((await t.http.delete(`/auth/sessions/${PAST_INT32 + 2}`).set(auth)).status, 204);
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: laptop.refresh_token }), 401);
    assert.equal((await t.http.post('/auth/logout').set({ Authorization: `Bearer ${refreshed.body.access_token}` })).status, 204);
    expectProblem(await t.http.get('/users/me').set(auth), 401);
  });

  it('takes todo and session ids up to 2^53 − 1 in paths, user ids up to 2^31 − 1, and refuses any past them with a 422', async () => {
    const admin: SignedIn = await signUpAdmin(t);
    for (const path of ['/todos', '/auth/sessions']) {
      const method = path === '/todos' ? 'get' : 'delete';
      expectProblem(await t.http[method](`${path}/${ID_MAX}`).set(admin.auth), 404);
      const refused = expectProblem(await t.http[method](`${path}/${ID_MAX + 1}`).set(admin.auth), 422);
      assert.match(JSON.stringify(refused.errors), /1 to 9007199254740991/);
    }
    expectProblem(await t.http.get('/admin/users/2147483647').set(admin.auth), 404);
    expectProblem(await t.http.get(`/admin/users/${PAST_INT32}`).set(admin.auth), 422);
  });

  it('hands out ids up to 2^53 − 1 and no further', async () => {
    const caps = await db.query(
      `SELECT c.table_name AS table, s.seqmax AS max
         FROM (VALUES ('todos'), ('sessions'), ('refresh_tokens')) c(table_name)
         JOIN pg_sequence s ON s.seqrelid = pg_get_serial_sequence(quote_ident(c.table_name), 'id')::regclass
        ORDER BY 1`,
    );
    assert.deepEqual(caps, [
      { table: 'refresh_tokens', max: ID_MAX },
      { table: 'sessions', max: ID_MAX },
      { table: 'todos', max: ID_MAX },
    ]);
    await db.query(`ALTER TABLE todos ALTER COLUMN id RESTART WITH ${ID_MAX}`);
    const ada = await signUp(t.http);
    const last = await t.http.post('/todos').set(ada.auth).send({ title: 'the last' });
    assert.equal(last.status, 201, last.text);
    assert.match(last.text, new RegExp(`"id":${ID_MAX}[,}]`));
    assert.equal((await t.http.get(`/todos/${ID_MAX}`).set(ada.auth)).body.title, 'the last');
  });

  // The migration, on a populated database.
  const migration = new BigintIds1796201000000();
  const onRunner = async (work: (runner: ReturnType<DataSource['createQueryRunner']>) => Promise<void>) => {
    const runner = db.createQueryRunner();
    try {
      await work(runner);
    } finally {
      await runner.release();
    }
  };
  const columnTypes = async () =>
    db.query(
      `SELECT table_name || '.' || column_name AS column, data_type AS type FROM information_schema.columns
        WHERE table_schema = current_schema() AND (table_name, column_name) IN (('todos', 'id'), ('sessions', 'id'), ('refresh_tokens', 'session_id'))
        ORDER BY 1`,
    );

  it('migrates a populated database: every id, reference and index kept, numbering goes on, the app serving throughout', async () => {
    // The schema as it was: `integer` ids, narrowed back by the migration's own `down`.
    await onRunner(async (runner) => {
      await runner.startTransaction();
      await migration.down(runner);
      await runner.commitTransaction();
    });
    assert.deepEqual(
      (await columnTypes()).map((c: { type: string }) => c.type),
      ['integer', 'integer', 'integer'],
    );
    const ada = await signUp(t.http);
    const bob = await signUp(t.http);
    let deleted = 0;
    for (let i = 0; i < 25; i++)
      deleted = (
        await t.http
          .post('/todos')
          .set(i % 2 ? ada.auth : bob.auth)
          .send({ title: `t${i}` })
      ).body.id;
    assert.equal((await t.http.delete(`/todos/${deleted}`).set(bob.auth)).status, 204);
    const pair = await t.http.post('/auth/login').type('form').send({ username: ada.email, password: PASSWORD });
    const before = await t.http.get('/todos?limit=100').set(ada.auth);

    // On PostgreSQL, requests go on while it migrates (the embedded database has one connection,
    // which the migration holds): todos created, lists read, every one answered.
    let migrating = true;
    const during: { status: number; id?: number }[] = [];
    const traffic = (async () => {
      while (migrating && process.env.DATABASE_URL) {
        const created = await t.http.post('/todos').set(bob.auth).send({ title: 'during' });
        during.push({ status: created.status, id: created.body.id }, { status: (await t.http.get('/todos?limit=5').set(bob.auth)).status });
      }
    })();
    await onRunner((runner) => migration.up(runner)).finally(() => {
      migrating = false;
    });
    await traffic;
    if (process.env.DATABASE_URL) assert.ok(during.length > 0, 'requests ran during the migration');
    assert.deepEqual(
      during.filter(({ status }) => status !== 200 && status !== 201),
      [],
      'every request during the migration answered',
    );
    for (const { id } of during.filter((d) => d.id !== undefined))
      assert.equal((await t.http.get(`/todos/${id}`).set(bob.auth)).status, 200);

    assert.deepEqual(await columnTypes(), [
      { column: 'refresh_tokens.session_id', type: 'bigint' },
      { column: 'sessions.id', type: 'bigint' },
      { column: 'todos.id', type: 'bigint' },
    ]);
    const indexes = await db.query(
      `SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()
          AND tablename IN ('todos', 'sessions', 'refresh_tokens') ORDER BY 1`,
    );
    assert.deepEqual(
      indexes
        .map((i: { name: string }) => i.name)
        .filter((name: string) => /_new$|^(PK_(todos|sessions)|IDX_.*_id|IDX_sessions_user_live|IDX_refresh_tokens_session)$/.test(name)),
      [
        'IDX_refresh_tokens_session',
        'IDX_sessions_user_live',
        'IDX_todos_owner_created_id',
        'IDX_todos_owner_title_id',
        'PK_sessions',
        'PK_todos',
      ],
      'every index again, under its name; no copy left',
    );
    const leftovers = await db.query(
      `SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%!_new!_copy' ESCAPE '!') AS triggers,
              (SELECT count(*) FROM pg_proc WHERE proname LIKE '%!_new!_copy' ESCAPE '!') AS functions,
              (SELECT count(*) FROM pg_constraint WHERE conname LIKE '%!_new%' ESCAPE '!') AS constraints,
              (SELECT count(*) FROM pg_constraint WHERE conname = 'FK_refresh_tokens_session' AND convalidated) AS foreign_keys`,
    );
    assert.deepEqual(leftovers, [{ triggers: 0, functions: 0, constraints: 0, foreign_keys: 1 }]);

    // The same rows under the same ids, the session and its tokens still good, and the next id after the last handed out.
    const afterwards = await t.http.get('/todos?limit=100').set(ada.auth);
    assert.equal(afterwards.status, 200);
    assert.deepEqual(afterwards.body, before.body);
    assert.equal((await t.http.get('/users/me').set(ada.auth)).status, 200);
    const refreshed = await t.http.post('/auth/refresh').send({ refresh_token: pair.body.refresh_token });
    assert.equal(refreshed.status, 200, refreshed.text);
    const next = await t.http.post('/todos').set(ada.auth).send({ title: 'after' });
    const handedOut = [deleted, ...during.flatMap(({ id }) => (id === undefined ? [] : [id]))];
    assert.equal(next.body.id, Math.max(...handedOut) + 1, 'the identity goes on after the last id handed out, the deleted one included');

    // Once more: nothing left to do.
    await onRunner((runner) => migration.up(runner));
    assert.equal((await t.http.get(`/todos/${next.body.id}`).set(ada.auth)).status, 200);
  });
});
