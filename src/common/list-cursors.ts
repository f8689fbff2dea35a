import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { derivedSecret } from '../config/signing-keys.js';

/** A 422 naming `cursor`: one altered, or minted for another list, filter, search or sort. */
export class InvalidCursorException extends UnprocessableEntityException {
  constructor() {
    super({
      message: 'Invalid cursor: it was altered, or belongs to another query (list, filters, q or sort); start again without it',
      code: 'invalid_cursor',
      errors: [{ field: 'cursor', message: 'is not a cursor of this query', code: 'invalid_value' }],
    });
  }
}

/** Where the next page starts: the last row's sort key, as the database writes it, then its id. */
export type CursorKey = readonly (string | number)[];

/** What a cursor is bound to: the list, then every parameter that chooses and orders its rows (not `limit`). */
export type ListQuery = Record<string, string | number | boolean | undefined>;

const MAC_LENGTH = 22; // base64url characters: 132 bits of an HMAC-SHA256

/**
 * Opaque cursors for keyset pagination: the position (`CursorKey`) and an HMAC over it and the
 * query it came from, with a key derived from the token-signing material every instance shares.
 * A cursor altered, or presented with other filters, `q` or `sort`, fails the check: a keyset
 * position means nothing in another order, and a wrong one would skip or repeat rows silently.
 */
@Injectable()
export class ListCursors {
  private readonly key: Buffer;

  constructor(@Inject(authConfig.KEY) auth: AuthConfig) {
    this.key = derivedSecret(auth.keys, 'list-cursors');
  }

  encode(query: ListQuery, key: CursorKey): string {
    const payload = Buffer.from(JSON.stringify(key)).toString('base64url');
    return `${payload}.${this.mac(query, payload)}`;
  }

  /** The position a cursor holds, checked to be `shape` (each element a string or a number). */
  decode(query: ListQuery, cursor: string, shape: readonly ('string' | 'number')[]): CursorKey {
    const [payload, mac, ...rest] = cursor.split('.');
    const given = Buffer.from(mac ?? '');
    const expected = Buffer.from(this.mac(query, payload));
    if (rest.length > 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidCursorException();
    let key: unknown;
    try {
      key = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidCursorException();
    }
    if (!Array.isArray(key) || key.length !== shape.length || key.some((value, i) => typeof value !== shape[i]))
      throw new InvalidCursorException();
    return key as CursorKey;
  }

  private mac(query: ListQuery, payload: string): string {
    // Sorted, so the same query is the same text whatever order its parameters were read in.
    const bound = JSON.stringify(Object.entries(query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return createHmac('sha256', this.key).update(bound).update('\n').update(payload).digest('base64url').slice(0, MAC_LENGTH);
  }
}
