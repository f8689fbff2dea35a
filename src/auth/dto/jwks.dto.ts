import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'JsonWebKey', description: 'A public key that verifies access tokens (RFC 7517): EC P-256 or RSA' })
export class JsonWebKeyDto {
  @ApiProperty({ enum: ['EC', 'RSA'] })
  kty!: 'EC' | 'RSA';

  @ApiProperty({
    description: 'The key’s RFC 7638 thumbprint; access tokens name it in their header',
    example: 's79Z83iNTzjsWjOHMJSbuIRwrgtLt4upJfWI1HBGXFs',
  })
  kid!: string;

  @ApiProperty({ enum: ['ES256', 'RS256', 'PS256'] })
  alg!: 'ES256' | 'RS256' | 'PS256';

  @ApiProperty({ enum: ['sig'] })
  use!: 'sig';

  @ApiPropertyOptional({ enum: ['P-256'], description: 'EC keys' })
  crv?: 'P-256';

  @ApiPropertyOptional({ description: 'EC keys: the x coordinate, base64url' })
  x?: string;

  @ApiPropertyOptional({ description: 'EC keys: the y coordinate, base64url' })
  y?: string;

  @ApiPropertyOptional({ description: 'RSA keys: the modulus, base64url' })
  n?: string;

  @ApiPropertyOptional({ description: 'RSA keys: the exponent, base64url' })
  e?: string;
}

@ApiSchema({ name: 'JsonWebKeySet', description: 'The current key and any rotated ones still accepted' })
export class JsonWebKeySetDto {
  @ApiProperty({ type: [JsonWebKeyDto] })
  keys!: JsonWebKeyDto[];
}
