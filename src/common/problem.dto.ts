import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  FIELD_ERROR_CODES,
  type FieldErrorCode,
  OAUTH_ERRORS,
  type OAuthError,
  PROBLEM_CODE_LIST,
  type ProblemCode,
  problemType,
} from './problem-codes.js';

@ApiSchema({ name: 'FieldError' })
export class FieldErrorDto {
  @ApiProperty({ example: 'password' })
  field!: string;

  @ApiProperty({ example: 'password must be at least 8 characters' })
  message!: string;

  @ApiProperty({
    enum: FIELD_ERROR_CODES,
    enumName: 'FieldErrorCode',
    description: 'What is wrong with the field, for a client to branch on (see docs/problems.md#field-error-codes)',
    example: 'too_short',
  })
  code!: FieldErrorCode;
}

@ApiSchema({ name: 'Problem', description: 'RFC 9457 problem details: the body of every error response' })
export class ProblemDto {
  @ApiProperty({
    format: 'uri',
    description: 'A `tag:` URI (RFC 4151) naming `code`; the same in every deployment',
    example: problemType('invalid_credentials'),
  })
  type!: string;

  @ApiProperty({ description: "The code's short summary", example: 'Invalid credentials' })
  title!: string;

  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 401 })
  status!: number;

  @ApiProperty({ description: 'The human message', example: 'Incorrect email or password' })
  detail!: string;

  @ApiProperty({
    enum: PROBLEM_CODE_LIST,
    enumName: 'ProblemCode',
    description: 'What went wrong, stable, for a client to branch on and translate; each is described in docs/problems.md',
    example: 'invalid_credentials',
  })
  code!: ProblemCode;

  @ApiPropertyOptional({ description: 'The path of the request, without its query', example: '/auth/login' })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'The fields that failed validation (422)' })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({
    enum: OAUTH_ERRORS,
    enumName: 'OAuthError',
    description: "RFC 6749 §5.2's error code, on the token endpoints' problems (`/auth/login`, `/auth/refresh`, `/auth/mfa/verify`) only",
    example: 'invalid_grant',
  })
  error?: OAuthError;
}
