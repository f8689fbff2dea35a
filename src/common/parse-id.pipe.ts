import { type ArgumentMetadata, Injectable, Param, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { validationFailed } from './validation.js';

/** Ids are PostgreSQL `integer` identities: 1 to 2^31 − 1. */
export const MAX_ID = 2_147_483_647;

/** How an id is documented wherever one appears: a path, a body, a response. */
export const ID_SCHEMA = { type: 'integer', minimum: 1, maximum: MAX_ID } as const;

/** Path ids are positive 32-bit integers written in plain decimal; anything else is a 422. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const id = /^[1-9]\d{0,9}$/.test(value) ? Number(value) : Number.NaN;
    if (!(id <= MAX_ID)) {
      throw validationFailed([{ field: metadata.data ?? 'id', message: `must be an integer from 1 to ${MAX_ID}`, code: 'out_of_range' }]);
    }
    return id;
  }
}

/**
 * An id path parameter (`@IdParam('The todo’s id') id: number`): parsed by `ParseIdPipe`, and documented as an
 * integer in its range rather than the `number` the parameter's type alone would give.
 */
export function IdParam(description: string, name = 'id'): ParameterDecorator {
  return (target, method, index) => {
    Param(name, ParseIdPipe)(target, method, index);
    if (method === undefined) return;
    ApiParam({ name, description, schema: ID_SCHEMA })(target, method, Object.getOwnPropertyDescriptor(target, method)!);
  };
}
