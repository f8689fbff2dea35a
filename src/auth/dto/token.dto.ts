import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

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

  // Optional in the document only because of the cookie transport: a client that never asks for
  // the cookie always gets it, and may treat it as present.
  @ApiPropertyOptional({
    description:
      'Opaque, single use: send it to `/auth/refresh` for the next pair. Always present, except when the request asked for `refresh_token_transport=cookie`: the token is then in the `__Secure-refresh_token` cookie, out of reach of scripts.',
    example: 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5',
  })
  refresh_token?: string;
}
