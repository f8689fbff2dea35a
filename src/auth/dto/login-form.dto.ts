import { ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { IsPasswordSized } from '../../passwords/is-acceptable-password.decorator.js';
import { RefreshTokenTransportField } from '../../sessions/dto/refresh-token-transport.dto.js';

export const GRANT_TYPES = ['password', 'refresh_token'] as const;

const passwordGrant = (form: LoginFormDto) => form.grant_type !== 'refresh_token';
const refreshGrant = (form: LoginFormDto) => form.grant_type === 'refresh_token';

/**
 * The OAuth2 token endpoint's form as the server validates it: the password grant (RFC 6749
 * §4.3.2; `username` carries the email) or the refresh grant (§6). The document describes the
 * two grants as two shapes (below), each with its required members.
 */
export class LoginFormDto extends RefreshTokenTransportField {
  @IsOptional()
  @IsIn(GRANT_TYPES)
  grant_type?: (typeof GRANT_TYPES)[number];

  @ValidateIf(passwordGrant)
  @MaxLength(254)
  @IsNotEmpty()
  @IsString()
  username?: string;

  @ValidateIf(passwordGrant)
  @IsPasswordSized()
  @IsNotEmpty()
  @IsString()
  password?: string;

  @ValidateIf(refreshGrant)
  @IsString()
  refresh_token?: string;

  @IsOptional()
  @MaxLength(1024)
  @IsString()
  scope?: string;

  @IsOptional()
  @MaxLength(256)
  @IsString()
  client_id?: string;

  @IsOptional()
  @MaxLength(256)
  @IsString()
  client_secret?: string;
}

/** Members both grants accept: the refresh token's transport, and client members they ignore. */
class SharedGrantMembers extends RefreshTokenTransportField {
  @ApiPropertyOptional({ description: 'Accepted and ignored: this API has no scopes', maxLength: 1024 })
  scope?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored: public clients need no client id', maxLength: 256 })
  client_id?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored', maxLength: 256 })
  client_secret?: string;
}

/** The password grant as the OpenAPI document describes it: what a generated client must send. */
@ApiSchema({ name: 'PasswordGrantForm', description: 'OAuth2 password grant (RFC 6749 §4.3.2): log in with email and password' })
export class PasswordGrantForm extends SharedGrantMembers {
  @ApiProperty({
    enum: ['password'],
    description: 'Required by RFC 6749 and by this document; the server also takes a password form without it, as older clients send',
  })
  grant_type!: 'password';

  @ApiProperty({ example: 'ada@example.com', description: 'The account email', minLength: 1, maxLength: 254 })
  username!: string;

  @ApiProperty({ example: 'violet-kettle-harbour', format: 'password', minLength: 1 })
  password!: string;
}

/** The refresh grant as the OpenAPI document describes it. */
@ApiSchema({ name: 'RefreshTokenGrantForm', description: 'OAuth2 refresh grant (RFC 6749 §6): spend a refresh token for a new pair' })
export class RefreshTokenGrantForm extends SharedGrantMembers {
  @ApiProperty({ enum: ['refresh_token'] })
  grant_type!: 'refresh_token';

  @ApiProperty({ description: 'The refresh token to spend', minLength: 1 })
  refresh_token!: string;
}

/** The token endpoint's body in the document: one of the two grants, told apart by `grant_type`. */
export const LOGIN_FORM_SCHEMA = {
  oneOf: [{ $ref: getSchemaPath(PasswordGrantForm) }, { $ref: getSchemaPath(RefreshTokenGrantForm) }],
  discriminator: {
    propertyName: 'grant_type',
    mapping: { password: getSchemaPath(PasswordGrantForm), refresh_token: getSchemaPath(RefreshTokenGrantForm) },
  },
};
