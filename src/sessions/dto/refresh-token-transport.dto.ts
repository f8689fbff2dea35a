import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export const REFRESH_TOKEN_TRANSPORTS = ['body', 'cookie'] as const;
export type RefreshTokenTransport = (typeof REFRESH_TOKEN_TRANSPORTS)[number];

/**
 * The member a token-issuing request (the password and refresh grants, `/auth/refresh`, the second
 * factor's step) adds to ask for the refresh token as an `HttpOnly` cookie. Its DTO extends this
 * class and its route carries `@RefreshTokenCookie()`.
 */
export class RefreshTokenTransportField {
  @ApiPropertyOptional({
    enum: REFRESH_TOKEN_TRANSPORTS,
    default: 'body',
    description:
      "`cookie`: the refresh token comes as the `__Secure-refresh_token` cookie (`HttpOnly`, `Secure`, `SameSite=Strict`, `Path=/auth`) and the answer has no `refresh_token`. The request must then come from an origin in `CORS_ORIGINS` (or the API's own) with an `X-Requested-With` header, else 403 `csrf_refused`.",
  })
  @IsOptional()
  @IsIn(REFRESH_TOKEN_TRANSPORTS)
  refresh_token_transport?: RefreshTokenTransport;
}
