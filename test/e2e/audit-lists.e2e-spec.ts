import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { AuditEventsService, type AuditScope } from '../../src/audit/audit-events.service.js';
import { AuditPurgeService } from '../../src/audit/audit-purge.service.js';
import { ListAuditEventsQueryDto } from '../../src/audit/dto/list-audit-events-query.dto.js';
import { TOTAL_COUNT_CAP } from '../../src/common/list-page.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { assertNewestFirst, walkEvents } from '../support/audit.js';
import { countsRun } from '../support/counts.js';
import { expectProblem, fieldsIn, signUp, signUpAdmin, type SignedIn } from '../support/factories.js';

const [U1, U2] = [424_242, 515_151];
const TYPES = ['login.succeeded', 'login.failed', 'password.changed'];

/** `GET /admin/audit-events` and `GET /users/me/security-events`: filters, paging, refusals, access, retention. */
describe('audit event lists', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: SignedIn;

  before(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
  });
  after(() => t.close());
  beforeEach(async () => {
    admin = await signUpAdmin(t);
  });
  afterEach(() => t.reset());

  /** 30 events of two deleted accounts and none, three to a millisecond, a second apart from 2026-03-01. */
  const seed = () =>
    db.query(
      `INSERT INTO audit_events (type, user_id, created_at, details)
       SELECT ($1::text[])[1 + g % 3], (ARRAY[$2, $3, NULL]::int[])[1 + (g / 2) % 3], timestamptz '2026-03-01T00:00:00Z' + (g / 3) * interval '1 second', '{}'
         FROM generate_series(0, 29) g`,
      [TYPES, U1, U2],
    );

  it('walks each filter once, newest first, through ties within a millisecond, with the total', async () => {
    await seed();
    for (const [query, where, values] of [
      ['', 'true', []],
      [`user_id=${U1}`, 'user_id = $1', [U1]],
      ['type=login.failed', 'type = $1', ['login.failed']],
      [
        'since=2026-03-01T00:00:03Z&until=2026-03-01T01:00:07.000%2B01:00',
        'created_at >= $1 AND created_at < $2',
        ['2026-03-01T00:00:03Z', '2026-03-01T00:00:07Z'],
      ],
      [
        `user_id=${U2}&type=password.changed&since=2026-03-01T00:00:02Z`,
        'user_id = $1 AND type = $2 AND created_at >= $3',
        [U2, 'password.changed', '2026-03-01T00:00:02Z'],
      ],
    ] as const) {
      const expected = await db.query<{ id: string }[]>(`SELECT id FROM audit_events WHERE ${where} ORDER BY created_at DESC, id DESC`, [
        ...values,
      ]);
      assert.ok(expected.length > 1, query);
      const first = await t.http.get(`/admin/audit-events?limit=4&${query}`).set(admin.auth);
      assert.equal(first.headers['x-total-count'], String(expected.length), query);
      const { events, pages } = await walkEvents(t.http, admin.auth, `/admin/audit-events?limit=4&${query}`);
      assert.deepEqual(
        events.map((event) => event.id),
        expected.map((row) => Number(row.id)),
        query,
      );
      assertNewestFirst(events);
      assert.equal(pages, Math.max(1, Math.ceil(events.length / 4)), query);
    }
  });

  it('shows a user only their own events, with the same filters and paging', async () => {
    const [ada, bob] = [await signUp(t.http), await signUp(t.http)];
    await t.http.post('/auth/logout-all').set(ada.auth);
    const adaToken = (await t.http.post('/auth/login').type('form').send({ username: ada.email, password: ada.password })).body
      .access_token;
    const adaAuth = { Authorization: `Bearer ${adaToken}` };
    const own = await walkEvents(t.http, adaAuth, '/users/me/security-events?limit=1');
    assert.deepEqual(
      own.events.map((event) => [event.type, event.user_id]),
      [
        ['login.succeeded', ada.id],
        ['session.revoked', ada.id],
        ['login.succeeded', ada.id],
      ],
    );
    assert.equal(own.pages, 3);
    const logins = await t.http.get('/users/me/security-events?type=login.succeeded').set(adaAuth);
    assert.equal(logins.headers['x-total-count'], '2');
    const bobs = await t.http.get('/users/me/security-events').set(bob.auth);
    assert.deepEqual(
      bobs.body.map((event: { user_id: number }) => event.user_id),
      [bob.id],
    );
    expectProblem(await t.http.get(`/users/me/security-events?user_id=${bob.id}`).set(adaAuth), 422);
  });

  it('tells the total from a page that holds the last event, counts it only otherwise, and says when it exceeds the bound', async (ctx) => {
    const ada = await signUp(t.http);
    const add = (userId: number, type: string, n: number) =>
      db.query(
        `INSERT INTO audit_events (type, user_id, created_at, details)
         SELECT $1, $2, timestamptz '2026-03-01T00:00:00Z' + g * interval '1 second', '{}' FROM generate_series(1, $3::int) g`,
        [type, userId, n],
      );
    const lists = [
      [admin.auth, `/admin/audit-events?user_id=${U1}`, U1, 'login.failed'],
      [ada.auth, '/users/me/security-events?type=password.changed', ada.id, 'password.changed'],
    ] as const;
    const counts = countsRun(ctx, t.app.get(AuditEventsService));
    const expectPages = async (
      auth: Record<string, string>,
      url: string,
      pages: (readonly [string, number, (string | undefined)[], number])[],
    ) => {
      for (const [query, rows, total, counted] of pages) {
        const before = counts();
        const res = await t.http.get(`${url}&${query}`).set(auth);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(
          [res.body.length, [res.headers['x-total-count'], res.headers['x-total-count-exceeds']], counts() - before],
          [rows, total, counted],
          `${url}&${query}`,
        );
      }
    };
    for (const [auth, url, userId, type] of lists) {
      await add(userId, type, 6);
      const cursor = (await t.http.get(`${url}&limit=4`).set(auth)).headers['x-next-cursor'];
      await expectPages(auth, url, [
        ['limit=20', 6, ['6', undefined], 0],
        ['limit=6', 6, ['6', undefined], 0],
        ['limit=4&offset=4', 2, ['6', undefined], 0],
        ['limit=2&offset=1', 2, ['6', undefined], 1],
        ['offset=6', 0, ['6', undefined], 1],
        ['offset=10', 0, ['6', undefined], 1],
        [`limit=4&cursor=${cursor}`, 2, ['6', undefined], 1],
        ['since=2030-01-01T00:00:00Z', 0, ['0', undefined], 0],
      ]);
      await add(userId, type, TOTAL_COUNT_CAP + 1 - 6);
      await expectPages(auth, url, [
        ['limit=5', 5, [undefined, String(TOTAL_COUNT_CAP)], 1],
        [`limit=5&offset=${TOTAL_COUNT_CAP}`, 1, [undefined, String(TOTAL_COUNT_CAP)], 0],
      ]);
    }
  });

  it('is for admins only, and the security log for the signed-in', async () => {
    const user = await signUp(t.http);
    expectProblem(await t.http.get('/admin/audit-events').set(user.auth), 403, 'admin permission required');
    expectProblem(await t.http.get('/admin/audit-events'), 401);
    expectProblem(await t.http.get('/users/me/security-events'), 401);
  });

  it('refuses bad filters and limits with 422 naming the field', async () => {
    for (const [query, field] of [
      ['type=login.maybe', 'type'],
      ['user_id=0', 'user_id'],
      ['user_id=abc', 'user_id'],
      ['user_id=2147483648', 'user_id'],
      ['since=2026-01-01', 'since'],
      ['since=2026-01-01T00:00:00', 'since'],
      ['since=2026-02-30T00:00:00Z', 'since'],
      ['since=0000-01-01T00:00:00Z', 'since'],
      ['until=tomorrow', 'until'],
      ['since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', 'until'],
      ['since=2026-01-01T00:00:00Z&until=2026-01-01T01:00:00%2B01:00', 'until'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['offset=1001', 'offset'],
      ['sort=type', 'sort'],
    ]) {
      const problem = expectProblem(await t.http.get(`/admin/audit-events?${query}`).set(admin.auth), 422, undefined, 'validation_failed');
      assert.deepEqual(fieldsIn(problem), [field], query);
    }
  });

  it('refuses with 422 a cursor altered, or from another filter or list', async () => {
    await seed();
    const cursor = (await t.http.get('/admin/audit-events?limit=2&type=login.failed').set(admin.auth)).headers['x-next-cursor'];
    assert.match(cursor, /^[\w-]+\.[\w-]+$/);
    const [payload, mac] = cursor.split('.');
    const forged = `${Buffer.from(JSON.stringify(['2030-01-01T00:00:00.000Z', 1])).toString('base64url')}.${mac}`;
    for (const [who, url] of [
      [admin, `/admin/audit-events?limit=2&type=login.failed&cursor=${payload}.${mac.slice(1)}A`],
      [admin, `/admin/audit-events?limit=2&type=login.failed&cursor=${forged}`],
      [admin, `/admin/audit-events?limit=2&type=login.failed&cursor=not-a-cursor`],
      [admin, `/admin/audit-events?limit=2&type=password.changed&cursor=${cursor}`],
      [admin, `/admin/audit-events?limit=2&cursor=${cursor}`],
      [admin, `/users/me/security-events?type=login.failed&cursor=${cursor}`],
    ] as const) {
      assert.deepEqual(fieldsIn(expectProblem(await t.http.get(url).set(who.auth), 422, /cursor/, 'invalid_cursor')), ['cursor'], url);
    }
    expectProblem(await t.http.get(`/admin/audit-events?type=login.failed&offset=2&cursor=${cursor}`).set(admin.auth), 422);
    assert.equal((await t.http.get(`/admin/audit-events?limit=50&type=login.failed&cursor=${cursor}`).set(admin.auth)).body.length, 8);
  });

  it('purges events older than AUDIT_RETENTION_DAYS (90), hourly', async () => {
    await db.query(
      `INSERT INTO audit_events (type, user_id, created_at, details)
       SELECT 'login.failed', $1, now() - make_interval(days => d), '{}' FROM unnest(ARRAY[1, 89, 91, 400]) d`,
      [U1],
    );
    assert.ok(t.app.get(SchedulerRegistry).getCronJob('purge-audit-events'), 'the purge is scheduled');
    assert.equal(await t.app.get(AuditPurgeService).purge(), 2);
    const [{ days }] = await db.query(
      `SELECT array_agg(round(extract(epoch FROM now() - created_at) / 86400)::int ORDER BY created_at) AS days FROM audit_events WHERE user_id = $1`,
      [U1],
    );
    assert.deepEqual(days, [89, 1]);
  });
});

/** Each shape's page is a range of its index, on a table big enough for the planner to prefer one. */
describe('audit list plans', () => {
  let t: TestApp;
  let db: DataSource;

  before(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    await db.query(
      `INSERT INTO audit_events (type, user_id, created_at, details)
       SELECT CASE WHEN g % 100 = 0 THEN 'password.changed' WHEN g % 2 = 0 THEN 'login.succeeded' ELSE 'login.failed' END,
              g % 5000, now() - g * interval '1 second', '{}'
         FROM generate_series(1, 30000) g`,
    );
    await db.query('VACUUM ANALYZE audit_events');
  });
  after(() => t.close());

  interface PlanNode {
    'Node Type': string;
    'Index Name'?: string;
    Plans?: PlanNode[];
  }
  const scans = (node: PlanNode): PlanNode[] => [
    ...(/^(Seq|Index|Index Only|Bitmap Index|Tid|Tid Range) Scan$/.test(node['Node Type']) ? [node] : []),
    ...(node.Plans ?? []).flatMap(scans),
  ];

  it('reads every filter from its index, first page and next', async () => {
    const events = t.app.get(AuditEventsService);
    for (const [scope, filters, index] of [
      [{ list: 'audit_events' }, {}, 'IDX_audit_events_created_id'],
      [{ list: 'audit_events' }, { since: '2026-01-01T00:00:00Z', until: '2099-01-01T00:00:00Z' }, 'IDX_audit_events_created_id'],
      [{ list: 'audit_events' }, { user_id: 42 }, 'IDX_audit_events_user_created_id'],
      [{ list: 'audit_events' }, { type: 'password.changed' }, 'IDX_audit_events_type_created_id'],
      [{ list: 'security_events', userId: 42 }, {}, 'IDX_audit_events_user_created_id'],
    ] as [AuditScope, object, string][]) {
      const query = Object.assign(new ListAuditEventsQueryDto(), { limit: 5, ...filters });
      const first = await events.list(scope, query);
      for (const page of [query, Object.assign(new ListAuditEventsQueryDto(), { ...query, cursor: first.page.next })]) {
        const [text, values] = events.listQueries(scope, page).page.getQueryAndParameters();
        const [row] = await db.query<Record<string, unknown>[]>(`EXPLAIN (FORMAT JSON) ${text}`, values);
        const value = Object.values(row)[0];
        const [{ Plan: plan }] = (typeof value === 'string' ? JSON.parse(value) : value) as [{ Plan: PlanNode }];
        const label = `${JSON.stringify(page)}\n${JSON.stringify(plan, undefined, 1)}`;
        assert.deepEqual(
          scans(plan).map((node) => node['Index Name']),
          [index],
          label,
        );
      }
    }
  });
});
