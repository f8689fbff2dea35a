import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { APP_PG_TYPES, parseInt8 } from './int8-numbers.js';

describe('parseInt8', () => {
  for (const [text, value] of [
    ['0', 0],
    ['-7', -7],
    ['3000000000', 3_000_000_000],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ] as const) {
    it(`reads ${text} as the number ${value}`, () => {
      assert.equal(parseInt8(text), value);
    });
  }

  for (const text of ['9007199254740992', '9007199254740993', '-9007199254740992', '9223372036854775807']) {
    it(`refuses ${text}, which a number cannot hold exactly`, () => {
      assert.throws(() => parseInt8(text), RangeError);
    });
  }
});

describe('APP_PG_TYPES', () => {
  it('reads bigint with parseInt8 and every other type as node-postgres does', () => {
    assert.equal(APP_PG_TYPES.getTypeParser(pg.types.builtins.INT8, 'text'), parseInt8);
    assert.equal(APP_PG_TYPES.getTypeParser(pg.types.builtins.INT8), parseInt8);
    for (const oid of [pg.types.builtins.INT4, pg.types.builtins.NUMERIC, pg.types.builtins.TIMESTAMPTZ, pg.types.builtins.JSON])
      assert.equal(APP_PG_TYPES.getTypeParser(oid, 'text'), pg.types.getTypeParser(oid, 'text'), String(oid));
  });
});
