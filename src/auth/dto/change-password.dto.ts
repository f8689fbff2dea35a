import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class ChangePasswordDto {
  @ApiProperty({ format: 'password', example: 'violet-kettle-harbour' })
  @MaxLength(1024) @IsNotEmpty() @IsString()
  current_password!: string;

  @ApiProperty({
    format: 'password',
    example: 'amber-falcon-river-77',
    description: 'The same rules as at registration: 8 to 128 characters, not a common password, not the email',
  })
  @IsString()
  new_password!: string;
}
