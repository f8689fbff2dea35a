import { createHash } from 'node:crypto';
import { validationFailed } from '../common/validation.js';

/** The header's name, as documented. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** A request that carries a key, and what makes two requests the same one. */
export interface IdempotentRequest {
  key: string;
  /** SHA-256 (hex) of the method, the route and the body's canonical JSON. */
  fingerprint: string;
}

const PRINTABLE = /^[\x20-\x7e]+$/;

/** The content of an sf-string (RFC 9651 §3.3.3), or undefined when `value` is not exactly one. */
function unquote(value: string): string | undefined {
  let out = '';
  for (let i = 1; i < value.length; i += 1) {
    const char = value[i];
    if (char === '"') return i === value.length - 1 ? out : undefined;
    if (char === '\\') {
      const next = value[(i += 1)];
      if (next !== '"' && next !== '\\') return undefined;
      out += next;
    } else {
      out += char;
    }
  }
  return undefined;
}

/**
 * The key of the header: the draft's sf-string (`"…"`, with `\"` and `\\` escapes), or the same
 * characters sent bare, which many clients do; both forms of one key are the same key. Absent:
 * undefined. Anything but 1 to 255 printable ASCII characters is refused with 422.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(', ') : header;
  const key = value.startsWith('"') ? unquote(value) : value;
  if (key === undefined || key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH || !PRINTABLE.test(key)) {
    throw validationFailed([
      {
        field: IDEMPOTENCY_KEY_HEADER,
        message: `${IDEMPOTENCY_KEY_HEADER} must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters, bare or as a quoted string`,
        code: 'invalid_format',
      },
    ]);
  }
  return key;
}

/** Objects with their keys sorted, at every depth: the same JSON body however its fields were ordered. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, canonical(object[key])]),
  );
}

export function requestFingerprint(method: string, route: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${route}\n${JSON.stringify(canonical(body ?? null))}`)
    .digest('hex');
}
