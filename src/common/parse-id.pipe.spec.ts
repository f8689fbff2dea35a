import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ArgumentMetadata, UnprocessableEntityException } from '@nestjs/common';
import { BIGINT_ID, INT_ID, ParseIdPipe } from './parse-id.pipe.js';

const pipe = new ParseIdPipe(INT_ID);
const bigPipe = new ParseIdPipe(BIGINT_ID);
const idParam: ArgumentMetadata = { type: 'param', data: 'id' };

/** Asserts a 422 naming the field `id` and the range. */
function refused(range: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof UnprocessableEntityException);
    const { errors } = error.getResponse() as { errors: { field: string; message: string }[] };
    assert.equal(errors.length, 1);
    assert.equal(errors[0].field, 'id');
    assert.match(errors[0].message, range);
    return true;
  };
}

const MALFORMED = ['0', '-1', '+1', '01', '1.5', '1e3', '0x1', 'abc', '', ' 1', '1 ', '1_000'];

describe('ParseIdPipe', () => {
  for (const [value, id] of [
    ['1', 1],
    ['42', 42],
    ['2147483647', 2_147_483_647],
  ] as const) {
    it(`parses ${JSON.stringify(value)} as ${id} in either range`, () => {
      assert.equal(pipe.transform(value, idParam), id);
      assert.equal(bigPipe.transform(value, idParam), id);
    });
  }

  for (const value of [...MALFORMED, '2147483648', '9999999999', '99999999999']) {
    it(`refuses ${JSON.stringify(value)} as a 32-bit id with a 422 naming the field`, () => {
      assert.throws(() => pipe.transform(value, idParam), refused(/1 to 2147483647/));
    });
  }

  for (const [value, id] of [
    ['2147483648', 2_147_483_648],
    ['3000000000', 3_000_000_000],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ] as const) {
    it(`parses ${JSON.stringify(value)} as ${id} in the bigint range`, () => {
      assert.equal(bigPipe.transform(value, idParam), id);
    });
  }

  // 2^53, and the numbers past it that round to 2^53 − 1 or below it: none.
  for (const value of [
    ...MALFORMED,
    '9007199254740992',
    '9007199254740993',
    '9999999999999999',
    '10000000000000000',
    '9223372036854775807',
  ]) {
    it(`refuses ${JSON.stringify(value)} as a bigint id with a 422 naming the field`, () => {
      assert.throws(() => bigPipe.transform(value, idParam), refused(/1 to 9007199254740991/));
    });
  }

  it('names the parameter it was bound to', () => {
    assert.throws(
      () => pipe.transform('x', { type: 'param', data: 'todoId' }),
      (error: unknown) =>
        error instanceof UnprocessableEntityException &&
        (error.getResponse() as { errors: { field: string }[] }).errors[0].field === 'todoId',
    );
  });

  it("falls back to 'id' when bound without a name", () => {
    assert.throws(
      () => pipe.transform('x', { type: 'param' }),
      (error: unknown) =>
        error instanceof UnprocessableEntityException && (error.getResponse() as { errors: { field: string }[] }).errors[0].field === 'id',
    );
  });
});
