import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';

export class VerifyEmailDto {
  @ApiProperty({
    description: 'The code from the verification mail (the `token` in its link)',
    example: 'dmVyaWZ5LWV4YW1wbGUtbm90LWEtcmVhbC10b2tlbi0wMTI',
  })
  @IsString()
  token!: string;
}
