import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { validationFailed } from './validation.js';

const MAX_ID = 2_147_483_647;

/** Path ids are positive 32-bit integers written in plain decimal; anything else is a 422. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const id = /^[1-9]\d{0,9}$/.test(value) ? Number(value) : Number.NaN;
    if (!(id <= MAX_ID)) {
      throw validationFailed([{ field: metadata.data ?? 'id', message: `must be an integer from 1 to ${MAX_ID}` }]);
    }
    return id;
  }
}
