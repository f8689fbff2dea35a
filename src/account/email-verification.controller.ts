import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { Client } from '../common/client-info.decorator.js';
import type { ClientInfo } from '../common/client-ip.js';
import { Consumes } from '../common/consumes.decorator.js';
import { RateLimit } from '../rate-limit/rate-limit.decorator.js';
import { User } from '../users/user.entity.js';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import { Public } from '../auth/decorators/public.decorator.js';
import { AcceptedOut } from './dto/accepted-out.dto.js';
import { VerifyEmailDto } from './dto/verify-email.dto.js';
import { EmailVerificationService } from './email-verification.service.js';

const RESENT: AcceptedOut = { message: 'Unless your address is already verified, a verification link is on its way' };

@ApiTags('auth')
@Controller('auth/verify-email')
export class EmailVerificationController {
  constructor(private readonly verification: EmailVerificationService) {}

  @Public()
  @Post()
  @Consumes('application/json')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Confirm an email address with the token from the verification mail',
    description: 'An unknown, expired, spent or malformed token: 400 `"Invalid or expired token"`.',
    operationId: 'auth_verify_email',
  })
  @ApiNoContentResponse({ description: 'Verified' })
  @ApiProblems(400, 413, 415, 422)
  async verify(@Body() body: VerifyEmailDto, @Client() client: ClientInfo): Promise<void> {
    await this.verification.verify(body.token, client);
  }

  @RateLimit('mail')
  @Post('resend')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Mail me a fresh verification link (valid 24 hours)',
    description: 'Mails the signed-in user a new verification link, unless the address is already verified.',
    operationId: 'auth_verify_email_resend',
  })
  @ApiAcceptedResponse({ type: AcceptedOut })
  @ApiProblems(401, 403)
  async resend(@CurrentUser() user: User): Promise<AcceptedOut> {
    await this.verification.resend(user);
    return RESENT;
  }
}
