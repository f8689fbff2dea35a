import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** The OAuth2 password grant form (RFC 6749 §4.3.2); `username` carries the email. */
export class LoginFormDto {
  @ApiPropertyOptional({ enum: ['password'], example: 'password' })
  @IsOptional() @IsIn(['password'])
  grant_type?: string;

  @ApiProperty({ example: 'ada@example.com', description: 'The account email' })
  @IsString() @IsNotEmpty() @MaxLength(254)
  username!: string;

  @ApiProperty({ example: 'correct horse battery staple', format: 'password' })
  @IsString() @IsNotEmpty() @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored: this API has no scopes' })
  @IsOptional() @IsString() @MaxLength(1024)
  scope?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored: public clients need no client id' })
  @IsOptional() @IsString() @MaxLength(256)
  client_id?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored' })
  @IsOptional() @IsString() @MaxLength(256)
  client_secret?: string;
}
