import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { IsPasswordSized } from '../is-acceptable-password.decorator.js';
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, PASSWORD_RULES } from '../password-policy.js';

export class ChangePasswordDto {
  @ApiProperty({ format: 'password', minLength: 1, example: 'violet-kettle-harbour' })
  @IsPasswordSized()
  @IsNotEmpty()
  @IsString()
  current_password!: string;

  @ApiProperty({
    format: 'password',
    example: 'amber-falcon-river-77',
    minLength: PASSWORD_MIN_CHARS,
    maxLength: PASSWORD_MAX_CHARS,
    description: `The same rules as at registration, and not the current password. ${PASSWORD_RULES}`,
  })
  // The policy needs the account's email, so the service applies it; the size is refused here.
  @IsPasswordSized()
  @IsString()
  new_password!: string;
}
