import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AuthConfig } from '../config/auth.config.js';
import { InvalidCursorException, ListCursors } from './list-cursors.js';

const cursorsWith = (secret: Buffer) => new ListCursors({ keys: { signingKey: createSecretKey(secret) } } as AuthConfig);

describe('ListCursors', () => {
  const cursors = cursorsWith(randomBytes(32));
  const query = { list: 'todos', owner: 7, sort: 'title', completed: undefined, q: 'abc' };

  it('gives back the position it was given, for the same query in any order of its parameters', () => {
    const cursor = cursors.encode(query, ['Äpfel "quoted"', 42]);
    assert.match(cursor, /^[\w-]+\.[\w-]{22}$/);
    assert.deepEqual(cursors.decode(query, cursor, ['string', 'number']), ['Äpfel "quoted"', 42]);
    const reordered = { q: 'abc', completed: undefined, sort: 'title', owner: 7, list: 'todos' };
    assert.deepEqual(cursors.decode(reordered, cursor, ['string', 'number']), ['Äpfel "quoted"', 42]);
  });

  it('refuses a cursor of another query, another key, altered, or of another shape', () => {
    const cursor = cursors.encode(query, ['a', 1]);
    const [payload, mac] = cursor.split('.');
    const refused: [object, string, ('string' | 'number')[]][] = [
      [{ ...query, sort: '-title' }, cursor, ['string', 'number']],
      [{ ...query, owner: 8 }, cursor, ['string', 'number']],
      [{ ...query, completed: false }, cursor, ['string', 'number']],
      [{ ...query, q: undefined }, cursor, ['string', 'number']],
      [{ ...query, list: 'admin_users' }, cursor, ['string', 'number']],
      [query, `${Buffer.from('["b",1]').toString('base64url')}.${mac}`, ['string', 'number']],
      [query, `${payload}.${mac.slice(0, -1)}`, ['string', 'number']],
      [query, `${payload}.${mac}.`, ['string', 'number']],
      [query, payload, ['string', 'number']],
      [query, '', ['string', 'number']],
      [query, cursor, ['number']],
      [query, cursor, ['number', 'number']],
    ];
    for (const [other, text, shape] of refused) {
      assert.throws(() => cursors.decode(other as typeof query, text, shape), InvalidCursorException, `${JSON.stringify(other)} ${text}`);
    }
    assert.throws(() => cursorsWith(randomBytes(32)).decode(query, cursor, ['string', 'number']), InvalidCursorException);
  });
});
