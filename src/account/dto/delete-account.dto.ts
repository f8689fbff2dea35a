import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsPasswordSized } from '../../passwords/is-acceptable-password.decorator.js';

export class DeleteAccountDto {
  @ApiProperty({ format: 'password', minLength: 1, example: 'violet-kettle-harbour', description: 'The current password' })
  @IsPasswordSized()
  @IsNotEmpty()
  @IsString()
  password!: string;

  @ApiPropertyOptional({
    maxLength: 64,
    example: '123456',
    description: 'When the second factor is on: a current TOTP code or an unused recovery code',
  })
  @IsOptional()
  @MaxLength(64)
  @IsString()
  code?: string;
}
