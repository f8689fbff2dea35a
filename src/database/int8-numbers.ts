import pg from 'pg';

/** PostgreSQL's type oid of `bigint` (`int8`); `count(*)` answers in it too. */
const INT8_OID = pg.types.builtins.INT8;

/**
 * A `bigint` as a JavaScript number. node-postgres reads one as a string (it may exceed 2^53 − 1,
 * past which a number is inexact); the app's identities are capped there (`MAXVALUE`), so every
 * id fits and reaches JSON as a number. A value past the bound is refused, never rounded: the
 * query fails rather than answer with another row's id.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} is past 2^53 − 1, the largest integer this app reads exactly`);
  return value;
}

/**
 * The type parsers of the app's pool (`extra.types`, on PostgreSQL and on the embedded database,
 * whose adapter speaks through node-postgres): node-postgres's own but for `bigint`. The one place
 * ids become numbers, for the entities' loads and the hand-written SQL alike (a column transformer
 * would convert the loads only, and the list's JSON, which PostgreSQL writes, never meets one); set
 * on this pool, not on node-postgres's process-wide defaults.
 */
export const APP_PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) => (oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)),
};
