import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, ValidateIf } from 'class-validator';
import { isPresent } from '../../common/validation.js';
import { RefreshTokenTransportField } from './refresh-token-transport.dto.js';

export class RefreshDto extends RefreshTokenTransportField {
  @ApiPropertyOptional({
    description:
      'The refresh token from the last login or refresh; it is spent by this call. Leave it out to spend the `__Secure-refresh_token` cookie instead (an `X-Requested-With` header and an allowed `Origin` are then required); without either the answer is 422.',
    example: 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5',
  })
  @ValidateIf(isPresent)
  @IsString()
  refresh_token?: string;
}
