import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnprocessableEntityException } from '@nestjs/common';
import { parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';

describe('parseIdempotencyKey', () => {
  it('takes the sf-string of the draft, with its escapes, or the same characters bare', () => {
    assert.equal(parseIdempotencyKey('"8e03978e-40d5"'), '8e03978e-40d5');
    assert.equal(parseIdempotencyKey('8e03978e-40d5'), '8e03978e-40d5');
    assert.equal(parseIdempotencyKey('"a \\"b\\" \\\\c"'), 'a "b" \\c');
    assert.equal(parseIdempotencyKey('x'.repeat(255)), 'x'.repeat(255));
    assert.equal(parseIdempotencyKey(undefined), undefined);
  });

  it('refuses empty, long, non-ASCII or malformed keys with 422', () => {
    for (const value of ['', '""', 'x'.repeat(256), `"${'x'.repeat(256)}"`, 'caf\u00e9', 'tab\there', '"open', '"a"b"', '"\\n"', '"a"b']) {
      assert.throws(() => parseIdempotencyKey(value), UnprocessableEntityException, JSON.stringify(value));
    }
  });
});

describe('requestFingerprint', () => {
  it('is the same for the same body in any field order, and differs by body, method or route', () => {
    const base = requestFingerprint('POST', '/todos', { title: 'a', tags: [{ x: 1, y: 2 }] });
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.equal(requestFingerprint('POST', '/todos', { tags: [{ y: 2, x: 1 }], title: 'a' }), base);
    assert.notEqual(requestFingerprint('POST', '/todos', { title: 'b', tags: [{ x: 1, y: 2 }] }), base);
    assert.notEqual(requestFingerprint('POST', '/todos', { title: 'a', tags: [{ y: 2 }, { x: 1 }] }), base);
    assert.notEqual(requestFingerprint('PUT', '/todos', { title: 'a', tags: [{ x: 1, y: 2 }] }), base);
    assert.notEqual(requestFingerprint('POST', '/auth/register', { title: 'a', tags: [{ x: 1, y: 2 }] }), base);
  });
});
