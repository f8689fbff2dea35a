import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import { pgPool, preparedQuery } from '../../src/database/prepared.js';
import { startTestApp, type TestApp } from '../support/app.js';

describe('prepared statements on the pool', () => {
  let t: TestApp;
  let db: DataSource;
  let pool: pg.Pool;
  before(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    pool = pgPool(db)!;
  });
  after(() => t.close());

  it('runs a statement with bound values, again and again', async () => {
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await preparedQuery(db.manager, 'SELECT $1::int + 1 AS n', [i]), [{ n: i + 1 }]);
    }
  });

  it('keeps the connection when PostgreSQL refuses the statement, and reports the error as TypeORM does', async () => {
    await preparedQuery(db.manager, 'SELECT 1 AS warm', []);
    const connections = pool.totalCount;
    for (let i = 0; i < 3; i++) {
      await assert.rejects(preparedQuery(db.manager, 'SELECT 1 / $1::int AS n', [0]), (error: unknown) => {
        assert.ok(error instanceof QueryFailedError, String(error));
        assert.equal((error.driverError as { code?: string }).code, '22012');
        return true;
      });
    }
    assert.equal(pool.totalCount, connections, 'no connection was thrown away');
    assert.deepEqual(await preparedQuery(db.manager, 'SELECT 1 / $1::int AS n', [1]), [{ n: 1 }]);
  });

  it('runs a statement again once a migration has changed the type of a column it returns', async () => {
    await db.query('CREATE TABLE widened (v integer)');
    try {
      await db.query('INSERT INTO widened (v) VALUES (7)');
      const read = () => preparedQuery(db.manager, 'SELECT v FROM widened', []);
      assert.deepEqual(await read(), [{ v: 7 }]);
      assert.deepEqual(await read(), [{ v: 7 }]);
      await db.query('ALTER TABLE widened ALTER COLUMN v TYPE bigint');
      await db.query('UPDATE widened SET v = 3000000000');
      for (let i = 0; i < 3; i++) assert.deepEqual(await read(), [{ v: 3_000_000_000 }]);
    } finally {
      await db.query('DROP TABLE widened');
    }
  });

  it('reads bigint as a number, and refuses one a number cannot hold exactly', async () => {
    assert.deepEqual(await db.query('SELECT 9007199254740991::bigint AS n, count(*) AS c FROM (VALUES (1), (2)) v'), [
      { n: Number.MAX_SAFE_INTEGER, c: 2 },
    ]);
    assert.deepEqual(await preparedQuery(db.manager, 'SELECT $1::bigint AS n', [3_000_000_000]), [{ n: 3_000_000_000 }]);
    await assert.rejects(db.query('SELECT 9007199254740992::bigint AS n'), /past 2\^53/);
    assert.deepEqual(await db.query('SELECT 1 AS ok'), [{ ok: 1 }], 'the pool serves on');
  });

  it("refuses a transaction's manager rather than run outside that transaction", async () => {
    await assert.rejects(
      db.transaction((em) => preparedQuery(em, 'SELECT 1 AS n', [])),
      /outside any transaction/,
    );
  });
});
