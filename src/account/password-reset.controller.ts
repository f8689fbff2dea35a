import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { Client } from '../common/client-info.decorator.js';
import type { ClientInfo } from '../common/client-ip.js';
import { Consumes } from '../common/consumes.decorator.js';
import { RateLimit } from '../rate-limit/rate-limit.decorator.js';
import { Public } from '../auth/decorators/public.decorator.js';
import { AcceptedOut } from './dto/accepted-out.dto.js';
import { PasswordResetConfirmDto, PasswordResetRequestDto } from './dto/password-reset.dto.js';
import { PasswordResetService } from './password-reset.service.js';

const REQUESTED: AcceptedOut = { message: 'If an active account uses this address, a password reset link is on its way' };

@ApiTags('auth')
@Controller('auth/password-reset')
export class PasswordResetController {
  constructor(private readonly reset: PasswordResetService) {}

  @Public()
  @RateLimit('mail')
  @Post('request')
  @Consumes('application/json')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Mail a single-use password reset link (valid 30 minutes)',
    description: 'The same 202 whether or not an account uses the address; no mail for an unknown or inactive one.',
    operationId: 'auth_password_reset_request',
  })
  @ApiAcceptedResponse({ type: AcceptedOut })
  @ApiProblems(400, 413, 415, 422)
  async request(@Body() body: PasswordResetRequestDto): Promise<AcceptedOut> {
    await this.reset.request(body.email);
    return REQUESTED;
  }

  @Public()
  @Post('confirm')
  @Consumes('application/json')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Set a new password with a reset token; every session of the account ends',
    description: 'An unknown, expired, spent or malformed token: 400 `"Invalid or expired token"`.',
    operationId: 'auth_password_reset_confirm',
  })
  @ApiNoContentResponse({ description: 'Password changed' })
  @ApiProblems(400, 413, 415, 422)
  async confirm(@Body() body: PasswordResetConfirmDto, @Client() client: ClientInfo): Promise<void> {
    await this.reset.confirm(body.token, body.new_password, client);
  }
}
