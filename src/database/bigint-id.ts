import type { ValueTransformer } from 'typeorm';

/**
 * The largest id a bigint identity that reaches JSON may hand out: `Number.MAX_SAFE_INTEGER`, so
 * every id is a JSON number that every client reads exactly. The migration caps the identity's
 * sequence at it (`MAXVALUE`); at a million ids a second it lasts 285 years.
 */
export const BIGINT_ID_MAX = Number.MAX_SAFE_INTEGER;

/**
 * A bigint identity read as a number: node-postgres reads `int8` as a string (it may exceed 2^53),
 * and an id capped at `BIGINT_ID_MAX` never does. The one place such an id becomes a number; one
 * that somehow does not fit is refused rather than rounded to another row's id.
 */
export const BIGINT_ID: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: string | null) => {
    if (value === null) return null;
    const id = Number(value);
    if (!Number.isSafeInteger(id)) throw new RangeError(`bigint id ${value} is beyond ${BIGINT_ID_MAX}`);
    return id;
  },
};
