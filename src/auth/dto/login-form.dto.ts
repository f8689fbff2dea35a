import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** The OAuth2 password grant form (RFC 6749 §4.3.2); `username` carries the email. */
export class LoginFormDto {
  @ApiPropertyOptional({ enum: ['password'], example: 'password' })
  @IsOptional() @IsIn(['password'])
  grant_type?: string;

  @ApiProperty({ example: 'ada@example.com', description: 'The account email' })
  @MaxLength(254) @IsNotEmpty() @IsString()
  username!: string;

  @ApiProperty({ example: 'correct horse battery staple', format: 'password' })
  @MaxLength(1024) @IsNotEmpty() @IsString()
  password!: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored: this API has no scopes' })
  @IsOptional() @MaxLength(1024) @IsString()
  scope?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored: public clients need no client id' })
  @IsOptional() @MaxLength(256) @IsString()
  client_id?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored' })
  @IsOptional() @MaxLength(256) @IsString()
  client_secret?: string;
}
