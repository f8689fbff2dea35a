import { type ArgumentMetadata, Param, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { validationFailed } from './validation.js';

/** The ids of one resource, as the OpenAPI document states them wherever one appears: a path, a body, a response. */
export interface IdRange {
  type: 'integer';
  minimum: 1;
  maximum: number;
}

/** Users' ids: PostgreSQL `integer` identities, 1 to 2^31 − 1. */
export const INT_ID: IdRange = { type: 'integer', minimum: 1, maximum: 2_147_483_647 };

/**
 * Todos' and sessions' ids: `bigint` identities whose sequences stop (`MAXVALUE`) at 2^53 − 1, the
 * largest integer a JSON number carries exactly to every client, JavaScript's included.
 */
export const BIGINT_ID: IdRange = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER };

/** Path ids are positive integers of their resource's range written in plain decimal; anything else is a 422. */
export class ParseIdPipe implements PipeTransform<string, number> {
  constructor(private readonly range: IdRange) {}

  transform(value: string, metadata: ArgumentMetadata): number {
    // At most 16 digits, as many as 2^53 − 1 has: `Number` of a longer one would round. Rounding
    // within 16 digits keeps the order, so no value past the maximum compares below it.
    const id = /^[1-9]\d{0,15}$/.test(value) ? Number(value) : Number.NaN;
    if (!(id <= this.range.maximum)) {
      const message = `must be an integer from 1 to ${this.range.maximum}`;
      throw validationFailed([{ field: metadata.data ?? 'id', message, code: 'out_of_range' }]);
    }
    return id;
  }
}

/**
 * An id path parameter (`@IdParam(BIGINT_ID, 'The todo’s id') id: number`): parsed by `ParseIdPipe`
 * in its resource's range, and documented as an integer in that range rather than the `number`
 * the parameter's type alone would give.
 */
export function IdParam(range: IdRange, description: string, name = 'id'): ParameterDecorator {
  return (target, method, index) => {
    Param(name, new ParseIdPipe(range))(target, method, index);
    if (method === undefined) return;
    ApiParam({ name, description, schema: { ...range } })(target, method, Object.getOwnPropertyDescriptor(target, method)!);
  };
}
