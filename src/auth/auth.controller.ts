import { Body, Controller, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiProblemCodes, ApiProblems, problemResponse } from '../common/api-problems.decorator.js';
import { validationFailed } from '../common/validation.js';
import { AcceptsIdempotencyKey, Idempotency } from '../idempotency/idempotency.decorator.js';
import type { IdempotentRequest } from '../idempotency/idempotency-key.js';
import { Consumes } from '../common/consumes.decorator.js';
import { OAuthTokenEndpoint } from '../common/oauth-token-endpoint.decorator.js';
import { MfaRequiredProblemDto } from '../mfa/dto/mfa-required-problem.dto.js';
import { MfaVerifyDto } from '../mfa/dto/mfa-verify.dto.js';
import { MFA_REQUIRED } from '../mfa/mfa-required.exception.js';
import { UserOut } from '../users/dto/user-out.dto.js';
import { User } from '../users/user.entity.js';
import { RateLimit } from '../rate-limit/rate-limit.decorator.js';
import { Client } from '../common/client-info.decorator.js';
import { RefreshDto } from '../sessions/dto/refresh.dto.js';
import { RefreshCookie, RefreshTokenCookie } from '../sessions/refresh-token-cookie.decorator.js';
import { CSRF_REFUSED } from '../sessions/refresh-cookie.interceptor.js';
import { INVALID_REFRESH_TOKEN } from '../sessions/sessions.service.js';
import type { ClientInfo } from '../common/client-ip.js';
import { AuthService } from './auth.service.js';
import { CurrentUser } from './decorators/current-user.decorator.js';
import { BAD_CREDENTIALS } from './messages.js';
import { Public } from './decorators/public.decorator.js';
import { LOGIN_FORM_SCHEMA, LoginFormDto, PasswordGrantForm, RefreshTokenGrantForm } from './dto/login-form.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { TokenDto } from './dto/token.dto.js';
import { LocalAuthGuard, LoginForm } from './guards/local-auth.guard.js';

const TOKEN_HEADERS = {
  'Cache-Control': { description: 'Tokens are never cached', schema: { type: 'string', example: 'no-store' } },
  'Set-Cookie': {
    description:
      'The refresh token as `__Secure-refresh_token` (`HttpOnly; Secure; SameSite=Strict; Path=/auth`, `Max-Age` the rest of the session), when the request asked for `refresh_token_transport=cookie` or spent the cookie',
    schema: { type: 'string', example: '__Secure-refresh_token=Zm9vYmFy; Max-Age=1209600; Path=/auth; HttpOnly; Secure; SameSite=Strict' },
  },
};

/** The password grant's 403s, one of which (`mfa_required`) carries the token of the second step. */
const LOGIN_FORBIDDEN = problemResponse(
  403,
  MFA_REQUIRED,
  MfaRequiredProblemDto,
  { code: 'mfa_required', error: 'invalid_grant', mfa_token: 'q3xXfQd2kLw1C0pJ5m0lq9gN2c8y5XQ0yJ3vW6nR1tA' },
  ['mfa_required', 'inactive_account', 'email_not_verified', 'csrf_refused'],
);

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @RateLimit('register', 'mail')
  @Post('register')
  @Consumes('application/json')
  @ApiOperation({
    summary: 'Create an account',
    description:
      'Creates an account with the `user` role and mails a link to verify the address. The email is stored in its normal form (trimmed, lower-cased, NFKC); the password must meet the policy described on `password`.',
    operationId: 'auth_register',
  })
  @ApiCreatedResponse({ type: UserOut })
  @ApiProblems(409, 422)
  @AcceptsIdempotencyKey({ anonymous: true })
  register(@Body() body: RegisterDto, @Idempotency() key?: IdempotentRequest): Promise<UserOut> {
    return this.auth.register(body, key);
  }

  @Public()
  @UseGuards(LocalAuthGuard)
  @RefreshTokenCookie()
  @Consumes('application/x-www-form-urlencoded')
  @RateLimit('login')
  @OAuthTokenEndpoint()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in (OAuth2 password grant), or refresh (refresh_token grant): a new token pair',
    description:
      "The OAuth2 token endpoint, as a form: the password grant (email in `username`) answers a new session's access and refresh tokens; the refresh grant spends a refresh token for a new pair. Wrong email and wrong password get the same 401; repeated failures are limited per client and per account (429). For an account with two-step sign-in on, the right password answers 403 `mfa_required` with an `mfa_token` (and `Cache-Control: no-store`): send it with a code to `POST /auth/mfa/verify`.",
    operationId: 'auth_login',
  })
  @ApiExtraModels(PasswordGrantForm, RefreshTokenGrantForm)
  @ApiBody({ schema: LOGIN_FORM_SCHEMA })
  @ApiOkResponse({ type: TokenDto, headers: TOKEN_HEADERS })
  @ApiProblemCodes(401, ['invalid_credentials', 'invalid_refresh_token'], BAD_CREDENTIALS, { error: 'invalid_grant' })
  @ApiExtraModels(MfaRequiredProblemDto)
  @ApiResponse({ status: 403, ...LOGIN_FORBIDDEN, headers: { 'Cache-Control': TOKEN_HEADERS['Cache-Control'] } })
  @ApiProblems(401, 403, 422)
  login(
    @LoginForm() form: LoginFormDto,
    @CurrentUser() user: User,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenDto> {
    reply.header('cache-control', 'no-store');
    return form.grant_type === 'refresh_token' ? this.auth.refresh(form.refresh_token!, client) : this.auth.login(user, client);
  }

  @Public()
  @RefreshTokenCookie({ reads: true })
  @RateLimit('refresh')
  @OAuthTokenEndpoint()
  @Post('refresh')
  @Consumes('application/json')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Spend a refresh token for a new token pair',
    description:
      'Spends a refresh token (JSON, or the `__Secure-refresh_token` cookie when the body has none) for a new access and refresh token pair; the old refresh token stops working. Presenting a spent token again ends the whole session (token theft), after a short grace period for a retried request. A token spent from the cookie is answered with the cookie.',
    operationId: 'auth_refresh',
  })
  @ApiOkResponse({ type: TokenDto, headers: TOKEN_HEADERS })
  @ApiProblemCodes(401, ['invalid_refresh_token'], INVALID_REFRESH_TOKEN, { error: 'invalid_grant' })
  @ApiProblemCodes(403, ['csrf_refused'], CSRF_REFUSED, { error: 'invalid_request' })
  @ApiProblems(401, 403, 422)
  refresh(
    @Body() body: RefreshDto,
    @RefreshCookie() cookie: string | undefined,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenDto> {
    reply.header('cache-control', 'no-store');
    const token = body.refresh_token ?? cookie;
    if (token === undefined)
      throw validationFailed([{ field: 'refresh_token', message: 'refresh_token must be sent, or the refresh cookie', code: 'required' }]);
    return this.auth.refresh(token, client);
  }

  @Public()
  @RefreshTokenCookie()
  @RateLimit('login')
  @OAuthTokenEndpoint()
  @Post('mfa/verify')
  @Consumes('application/json')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Second step of a login with two-step sign-in: a code for a token pair',
    description:
      "Completes a password grant that answered 403 `mfa_required`: its `mfa_token` with the 6-digit code the authenticator app shows now, or an unused recovery code, answers the new session's token pair. The `mfa_token` lasts 5 minutes, takes at most 5 codes, and is spent by the first right one; each code is accepted once. Wrong codes count against the account's login limits (429), and 100 in a row lock authenticator codes (403 `mfa_locked`) until a recovery code succeeds.",
    operationId: 'auth_mfa_verify',
  })
  @ApiOkResponse({ type: TokenDto, headers: TOKEN_HEADERS })
  @ApiProblemCodes(401, ['invalid_mfa_code', 'mfa_token_invalid', 'invalid_credentials'], 'Invalid authentication code', {
    error: 'invalid_grant',
  })
  @ApiProblemCodes(
    403,
    ['mfa_locked', 'inactive_account', 'csrf_refused'],
    'Too many wrong codes: use a recovery code, or ask an admin to reset MFA',
    {
      error: 'invalid_grant',
    },
  )
  @ApiProblemCodes(409, ['mfa_not_enabled'], 'MFA is not on for this account')
  @ApiProblems(401, 403, 409, 422)
  verifyMfa(@Body() body: MfaVerifyDto, @Client() client: ClientInfo, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenDto> {
    reply.header('cache-control', 'no-store');
    return this.auth.completeMfaLogin(body.mfa_token, body.code, client);
  }
}
