import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { IsAcceptablePassword } from '../is-acceptable-password.decorator.js';
import { normalizeEmail, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, PASSWORD_RULES } from '../password-policy.js';

export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254, description: 'Trimmed and compared case-insensitively' })
  @Transform(({ value }) => (typeof value === 'string' ? normalizeEmail(value) : value))
  @IsEmail() @MaxLength(254) @IsString()
  email!: string;

  @ApiProperty({
    example: 'correct horse battery staple',
    minLength: PASSWORD_MIN_CHARS,
    maxLength: PASSWORD_MAX_CHARS,
    description: PASSWORD_RULES,
  })
  @IsAcceptablePassword('email') @IsString()
  password!: string;
}
