import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { IsPasswordSized } from '../../passwords/is-acceptable-password.decorator.js';

export const GRANT_TYPES = ['password', 'refresh_token'] as const;

const passwordGrant = (form: LoginFormDto) => form.grant_type !== 'refresh_token';
const refreshGrant = (form: LoginFormDto) => form.grant_type === 'refresh_token';

/**
 * The OAuth2 token endpoint's form: the password grant (RFC 6749 §4.3.2; `username` carries the
 * email) or the refresh grant (§6).
 */
export class LoginFormDto {
  @ApiPropertyOptional({ enum: GRANT_TYPES, default: 'password' })
  @IsOptional()
  @IsIn(GRANT_TYPES)
  grant_type?: (typeof GRANT_TYPES)[number];

  @ApiPropertyOptional({ example: 'ada@example.com', description: 'The account email (password grant)' })
  @ValidateIf(passwordGrant)
  @MaxLength(254)
  @IsNotEmpty()
  @IsString()
  username?: string;

  @ApiPropertyOptional({ example: 'violet-kettle-harbour', format: 'password', description: 'Password grant' })
  @ValidateIf(passwordGrant)
  @IsPasswordSized()
  @IsNotEmpty()
  @IsString()
  password?: string;

  @ApiPropertyOptional({ description: 'Refresh grant: the refresh token to spend' })
  @ValidateIf(refreshGrant)
  @IsString()
  refresh_token?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored: this API has no scopes' })
  @IsOptional()
  @MaxLength(1024)
  @IsString()
  scope?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored: public clients need no client id' })
  @IsOptional()
  @MaxLength(256)
  @IsString()
  client_id?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored' })
  @IsOptional()
  @MaxLength(256)
  @IsString()
  client_secret?: string;
}
