import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { IsAcceptablePassword } from '../../passwords/is-acceptable-password.decorator.js';
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, PASSWORD_RULES } from '../../passwords/password-policy.js';
import { normalizeEmail } from '../../users/email-address.js';

export class PasswordResetRequestDto {
  @ApiProperty({
    format: 'email',
    example: 'ada@example.com',
    maxLength: 254,
    description: 'Compared in NFKC form, trimmed and case-insensitively',
  })
  @Transform(({ value }) => (typeof value === 'string' ? normalizeEmail(value) : value))
  @IsEmail()
  @MaxLength(254)
  @IsString()
  email!: string;
}

export class PasswordResetConfirmDto {
  @ApiProperty({
    description: 'The code from the reset mail (the `token` in its link)',
    example: 'mW3ZlR0b2tlbi1leGFtcGxlLW5vdC1yZWFsLTAxMjM0NTY',
  })
  @IsString()
  token!: string;

  @ApiProperty({
    format: 'password',
    example: 'amber-falcon-river-77',
    minLength: PASSWORD_MIN_CHARS,
    maxLength: PASSWORD_MAX_CHARS,
    description: `The same rules as at registration. ${PASSWORD_RULES}`,
  })
  @IsAcceptablePassword()
  @IsString()
  new_password!: string;
}
