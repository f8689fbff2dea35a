import { RefreshTokenTransportField } from '../../sessions/dto/refresh-token-transport.dto.js';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { CODE_PROPERTY } from './mfa-code.dto.js';

export class MfaVerifyDto extends RefreshTokenTransportField {
  @ApiProperty({
    description: 'The `mfa_token` of the `mfa_required` problem the password grant answered (5 minutes, at most 5 attempts)',
    example: 'q3xXfQd2kLw1C0pJ5m0lq9gN2c8y5XQ0yJ3vW6nR1tA',
    maxLength: 128,
  })
  @MaxLength(128)
  @IsString()
  mfa_token!: string;

  @ApiProperty(CODE_PROPERTY)
  @MaxLength(64)
  @IsNotEmpty()
  @IsString()
  code!: string;
}
