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

  it("refuses a transaction's manager rather than run outside that transaction", async () => {
    await assert.rejects(
      db.transaction((em) => preparedQuery(em, 'SELECT 1 AS n', [])),
      /outside any transaction/,
    );
  });
});
