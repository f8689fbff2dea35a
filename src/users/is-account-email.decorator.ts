import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { emailProblem } from './email-address.js';

/** Refuses an address (already normalised) that could pass for another one: see `emailProblem`. */
export function IsAccountEmail(options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    registerDecorator({
      name: 'isAccountEmail',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && emailProblem(value) === undefined,
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} ${typeof args.value === 'string' ? (emailProblem(args.value) ?? 'is not acceptable') : 'must be a string'}`,
      },
    });
  };
}
