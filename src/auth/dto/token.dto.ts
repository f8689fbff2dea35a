import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'Token' })
export class TokenDto {
  @ApiProperty({
    description: 'A JWT to send as `Authorization: Bearer <token>`',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
  })
  access_token!: string;

  @ApiProperty({ enum: ['bearer'], example: 'bearer' })
  token_type!: 'bearer';

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Seconds until the access token expires', example: 900 })
  expires_in!: number;

  @ApiProperty({
    description: 'Opaque, single use: send it to `/auth/refresh` for the next pair',
    example: 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5',
  })
  refresh_token!: string;
}
