import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { IsPasswordSized } from '../is-acceptable-password.decorator.js';

export class ChangePasswordDto {
  @ApiProperty({ format: 'password', example: 'violet-kettle-harbour' })
  @IsPasswordSized() @IsNotEmpty() @IsString()
  current_password!: string;

  @ApiProperty({
    format: 'password',
    example: 'amber-falcon-river-77',
    description: 'The same rules as at registration: 8 to 128 characters, not a common password, not the email',
  })
  // The policy needs the account's email, so the service applies it; the size is refused here.
  @IsPasswordSized() @IsString()
  new_password!: string;
}
