import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import type { FieldCodeContext } from '../common/validation.js';
import { PASSWORD_TOO_LONG, passwordProblem, passwordProblemCode, passwordTooLong } from './password-policy.js';

/** Applies the password policy, reading the email from the sibling property `emailProperty`. */
export function IsAcceptablePassword(emailProperty?: string, options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    registerDecorator({
      name: 'isAcceptablePassword',
      target: target.constructor,
      propertyName,
      // The field code follows the refusal: the policy's length limits are too_short and too_long.
      options: {
        ...options,
        context: { fieldCode: (message) => passwordProblemCode(message.replace(`${propertyName} `, '')) } satisfies FieldCodeContext,
      },
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          if (typeof value !== 'string') return false;
          const email = emailProperty ? (args.object as Record<string, unknown>)[emailProperty] : undefined;
          return passwordProblem(value, typeof email === 'string' ? email : undefined) === undefined;
        },
        defaultMessage(args: ValidationArguments) {
          if (typeof args.value !== 'string') return `${args.property} must be a string`;
          const email = emailProperty ? (args.object as Record<string, unknown>)[emailProperty] : undefined;
          return `${args.property} ${passwordProblem(args.value, typeof email === 'string' ? email : undefined) ?? 'is not acceptable'}`;
        },
      },
    });
  };
}

/**
 * For a password that is checked rather than set (login, the current password): only the cheap
 * size check, so an oversized one is refused before it is normalised or hashed.
 */
export function IsPasswordSized(options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    registerDecorator({
      name: 'isPasswordSized',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !passwordTooLong(value),
        defaultMessage: (args: ValidationArguments) => `${args.property} ${PASSWORD_TOO_LONG}`,
      },
    });
  };
}
