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

/** Unknown fields are refused (422) so `role`, `is_active` or `owner_id` can never be mass-assigned. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(flatten(errors)),
  });
}
