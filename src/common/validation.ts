import { type ArgumentMetadata, UnprocessableEntityException, ValidationPipe, type ValidationError } from '@nestjs/common';
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

/** For `@ValidateIf`: validate a field whenever it is sent, `null` included. */
export const isPresent = (_: object, value: unknown) => value !== undefined;

const OBJECT_PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

/**
 * What class-validator lets through: strings PostgreSQL cannot store faithfully (U+0000, lone
 * surrogates), and keys such as `constructor` that its whitelist finds on every object.
 */
function unsafeFields(value: unknown, path = ''): FieldError[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return [{ field: path, message: 'must not contain NUL characters' }];
    if (!value.isWellFormed()) return [{ field: path, message: 'must be well-formed Unicode' }];
    return [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => unsafeFields(item, path ? `${path}.${i}` : String(i)));
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) => {
    const field = path ? `${path}.${key}` : key;
    if (OBJECT_PROTOTYPE_KEYS.has(key)) return [{ field, message: 'is not an accepted field' }];
    return unsafeFields((value as Record<string, unknown>)[key], field);
  });
}

/**
 * Nest's `ValidationPipe` with two changes: bodies, queries and params are first screened by
 * `unsafeFields`, and bare path and query values stay the strings they are (Nest's own
 * conversion would turn `/todos/1e3` into 1000 before `ParseIdPipe` could refuse it).
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const unsafe = unsafeFields(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
      if (unsafe.length > 0) throw validationFailed(unsafe);
    }
    return super.transform(value, metadata);
  }

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
    // One message per field. class-validator runs a property's decorators bottom-up, so DTOs put
    // the type check nearest the property: a missing title says "must be a string".
    stopAtFirstError: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(flatten(errors)),
  });
}
