import { type ArgumentMetadata, UnprocessableEntityException, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldError } from './problem.js';
import type { FieldErrorCode } from './problem-codes.js';

/** class-validator's constraints (and this project's own), by the field code they answer. */
const CONSTRAINT_CODES: Record<string, FieldErrorCode> = {
  whitelistValidation: 'unknown_field',
  isString: 'invalid_type',
  isInt: 'invalid_type',
  isBoolean: 'invalid_type',
  isNumber: 'invalid_type',
  isObject: 'invalid_type',
  isArray: 'invalid_type',
  isIn: 'invalid_choice',
  isEnum: 'invalid_choice',
  isNotEmpty: 'too_short',
  minLength: 'too_short',
  maxLength: 'too_long',
  isPasswordSized: 'too_long',
  min: 'out_of_range',
  max: 'out_of_range',
  isEmail: 'invalid_format',
  isUrl: 'invalid_format',
  matches: 'invalid_format',
  isAccountEmail: 'invalid_format',
  isAcceptablePassword: 'weak_password',
};

/** A custom constraint's `context` that names the field code from its message (the password policy's). */
export interface FieldCodeContext {
  fieldCode: (message: string) => FieldErrorCode;
}

function fieldCode(constraint: string, message: string, error: ValidationError): FieldErrorCode {
  const context = error.contexts?.[constraint] as Partial<FieldCodeContext> | undefined;
  if (typeof context?.fieldCode === 'function' && error.value !== undefined && error.value !== null) return context.fieldCode(message);
  // A missing member fails its type check first (decorators nearest the property run first).
  if (error.value === undefined || error.value === null) return constraint === 'whitelistValidation' ? 'unknown_field' : 'required';
  if (constraint === 'isLength') return typeof error.value === 'string' && error.value.length < 1 ? 'too_short' : 'too_long';
  return CONSTRAINT_CODES[constraint] ?? 'invalid_value';
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([name, message]) => ({
      field,
      message: name === 'whitelistValidation' ? 'is not an accepted field' : message,
      code: fieldCode(name, message, error),
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

export function validationFailed(errors: FieldError[]): UnprocessableEntityException {
  return new UnprocessableEntityException({ message: 'Validation failed', errors, code: 'validation_failed' });
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
    if (value.includes('\u0000')) return [{ field: path, message: 'must not contain NUL characters', code: 'invalid_format' }];
    if (!value.isWellFormed()) return [{ field: path, message: 'must be well-formed Unicode', code: 'invalid_format' }];
    return [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => unsafeFields(item, path ? `${path}.${i}` : String(i)));
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) => {
    const field = path ? `${path}.${key}` : key;
    if (OBJECT_PROTOTYPE_KEYS.has(key)) return [{ field, message: 'is not an accepted field', code: 'unknown_field' }];
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
    // The value is read only to tell a missing member (`required`) from a wrong one; it never reaches a response.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => validationFailed(flatten(errors)),
  });
}
