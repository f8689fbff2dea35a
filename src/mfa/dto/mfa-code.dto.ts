import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** What every code field says about itself in the document. */
export const CODE_PROPERTY = {
  minLength: 1,
  maxLength: 64,
  example: '492039',
  description:
    'The 6-digit code the authenticator app shows now (spaces ignored), or one of the recovery codes (`7kq2-m9xd-3h5t-pw8c`; case, spaces and dashes ignored). Each is accepted once.',
};

export class MfaCodeDto {
  @ApiProperty(CODE_PROPERTY)
  @MaxLength(64)
  @IsNotEmpty()
  @IsString()
  code!: string;
}
