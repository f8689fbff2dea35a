import { UnprocessableEntityException, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldError } from './problem.js';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([name, message]) => ({
      field,
      message: name === 'whitelistValidation' ? 'is not an accepted field' : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

export function validationFailed(errors: FieldError[]): UnprocessableEntityException {
  return new UnprocessableEntityException({ message: 'Validation failed', errors });
}

/**
 * Leaves bare path and query values as the strings they are: Nest's own conversion would turn
 * `/todos/1e3` into 1000 before `ParseIdPipe` could refuse it. DTOs still convert their fields.
 */
class StrictValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown): unknown {
    return value;
  }
}

/** Unknown fields are refused (422) so `role`, `is_active` or `owner_id` can never be mass-assigned. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(flatten(errors)),
  });
}
