import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ArgumentMetadata, UnprocessableEntityException } from '@nestjs/common';
import { ParseIdPipe } from './parse-id.pipe.js';

const pipe = new ParseIdPipe();
const idParam: ArgumentMetadata = { type: 'param', data: 'id' };

describe('ParseIdPipe', () => {
  for (const [value, id] of [
    ['1', 1],
    ['42', 42],
    ['2147483647', 2_147_483_647],
  ] as const) {
    it(`parses ${JSON.stringify(value)} as ${id}`, () => {
      assert.equal(pipe.transform(value, idParam), id);
    });
  }

  for (const value of ['0', '-1', '+1', '01', '1.5', '1e3', '0x1', 'abc', '', ' 1', '1 ', '2147483648', '9999999999', '99999999999']) {
    it(`refuses ${JSON.stringify(value)} with a 422 naming the field`, () => {
      assert.throws(
        () => pipe.transform(value, idParam),
        (error: unknown) => {
          assert.ok(error instanceof UnprocessableEntityException);
          const { errors } = error.getResponse() as { errors: { field: string; message: string }[] };
          assert.equal(errors.length, 1);
          assert.equal(errors[0].field, 'id');
          assert.match(errors[0].message, /1 to 2147483647/);
          return true;
        },
      );
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
