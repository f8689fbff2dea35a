import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exceedsDepth } from './json-body.js';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
};

describe('exceedsDepth', () => {
  it('counts objects and arrays, not scalars', () => {
    assert.equal(exceedsDepth('x', 1), false);
    assert.equal(exceedsDepth({ a: 1 }, 1), false);
    assert.equal(exceedsDepth({ a: { b: 1 } }, 1), true);
    assert.equal(exceedsDepth(nested(32)), false);
    assert.equal(exceedsDepth(nested(33)), true);
  });

  it('walks wide and deep values without recursion', () => {
    assert.equal(exceedsDepth(nested(50_000)), true);
    assert.equal(exceedsDepth({ many: Array.from({ length: 10_000 }, (_, i) => ({ i })) }), false);
  });
});
