import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsPasswordSized } from '../../passwords/is-acceptable-password.decorator.js';
import { CODE_PROPERTY } from './mfa-code.dto.js';

export class DisableMfaDto {
  @ApiProperty({ format: 'password', minLength: 1, example: 'violet-kettle-harbour', description: 'The account password, entered again' })
  @IsPasswordSized()
  @IsNotEmpty()
  @IsString()
  password!: string;

  @ApiProperty(CODE_PROPERTY)
  @MaxLength(64)
  @IsNotEmpty()
  @IsString()
  code!: string;
}
