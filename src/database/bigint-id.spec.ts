import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BIGINT_ID, BIGINT_ID_MAX } from './bigint-id.js';

describe('BIGINT_ID', () => {
  it('reads the string node-postgres gives for an int8 as the number it is, up to the cap', () => {
    assert.equal(BIGINT_ID.from('1'), 1);
    assert.equal(BIGINT_ID.from(String(BIGINT_ID_MAX)), 9_007_199_254_740_991);
    assert.equal(BIGINT_ID.from(null), null);
  });

  it('refuses an id past the cap rather than round it onto another', () => {
    assert.throws(() => BIGINT_ID.from('9007199254740992'), RangeError);
    assert.throws(() => BIGINT_ID.from('9223372036854775807'), RangeError);
  });

  it('writes an id as it is given', () => {
    assert.equal(BIGINT_ID.to(42), 42);
  });
});
