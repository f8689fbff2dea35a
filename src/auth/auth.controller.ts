import { Body, Controller, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { toUserOut, UserOut } from '../users/dto/user-out.dto.js';
import { User } from '../users/user.entity.js';
import { AuthService } from './auth.service.js';
import { CurrentUser } from './decorators/current-user.decorator.js';
import { Public } from './decorators/public.decorator.js';
import { LoginFormDto } from './dto/login-form.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { TokenDto } from './dto/token.dto.js';
import { LocalAuthGuard } from './guards/local-auth.guard.js';
import { TokenService } from './token.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: TokenService,
  ) {}

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an account', operationId: 'auth_register' })
  @ApiCreatedResponse({ type: UserOut })
  @ApiProblems(400, 409, 413, 415, 422)
  async register(@Body() body: RegisterDto): Promise<UserOut> {
    return toUserOut(await this.auth.register(body));
  }

  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in (OAuth2 password grant) and get an access token', operationId: 'auth_login' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: LoginFormDto })
  @ApiOkResponse({ type: TokenDto, headers: { 'Cache-Control': { schema: { type: 'string', example: 'no-store' } } } })
  @ApiProblems(400, 401, 403, 413, 415, 422)
  login(@CurrentUser() user: User, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenDto> {
    reply.header('cache-control', 'no-store');
    return this.tokens.issue(user);
  }
}
