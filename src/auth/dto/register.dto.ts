import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { IsAcceptablePassword } from '../../passwords/is-acceptable-password.decorator.js';
import { IsAccountEmail } from '../../users/is-account-email.decorator.js';
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, PASSWORD_RULES } from '../../passwords/password-policy.js';
import { normalizeEmail } from '../../users/email-address.js';

export class RegisterDto {
  @ApiProperty({
    format: 'email',
    example: 'ada@example.com',
    maxLength: 254,
    description:
      'Stored in NFKC form, trimmed and lower-cased (a full-width address is the plain one); no invisible characters, no quoted local part',
  })
  @Transform(({ value }) => (typeof value === 'string' ? normalizeEmail(value) : value))
  @IsAccountEmail()
  @IsEmail()
  @MaxLength(254)
  @IsString()
  email!: string;

  @ApiProperty({
    example: 'correct horse battery staple',
    minLength: PASSWORD_MIN_CHARS,
    maxLength: PASSWORD_MAX_CHARS,
    description: PASSWORD_RULES,
  })
  @IsAcceptablePassword('email')
  @IsString()
  password!: string;
}
