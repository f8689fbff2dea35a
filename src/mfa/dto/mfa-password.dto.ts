import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { IsPasswordSized } from '../../passwords/is-acceptable-password.decorator.js';

export class MfaPasswordDto {
  @ApiProperty({ format: 'password', minLength: 1, example: 'violet-kettle-harbour', description: 'The account password, entered again' })
  @IsPasswordSized()
  @IsNotEmpty()
  @IsString()
  password!: string;
}
