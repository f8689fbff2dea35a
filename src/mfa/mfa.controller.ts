import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import { ApiProblemCodes, ApiProblems } from '../common/api-problems.decorator.js';
import { Consumes } from '../common/consumes.decorator.js';
import { NO_STORE_HEADER, NoStore } from '../common/no-store.decorator.js';
import { RateLimit } from '../rate-limit/rate-limit.decorator.js';
import { Client } from '../common/client-info.decorator.js';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import type { ClientInfo } from '../common/client-ip.js';
import { User } from '../users/user.entity.js';
import { DisableMfaDto } from './dto/disable-mfa.dto.js';
import { MfaCodeDto } from './dto/mfa-code.dto.js';
import { MfaPasswordDto } from './dto/mfa-password.dto.js';
import { RecoveryCodesOut } from './dto/recovery-codes-out.dto.js';
import { TotpSetupOut } from './dto/totp-setup-out.dto.js';
import { MfaSettingsService } from './mfa-settings.service.js';
import { TotpEnrolmentService } from './totp-enrolment.service.js';

const QR_HOW_TO = [
  'Show `otpauth_uri` as a QR code drawn in the browser by a QR library (never by a QR web service, which would then hold the secret), with `secret` beside it for typing in; for example with the `qrcode` package:',
  '```js\nimport QRCode from "qrcode";\nimage.src = await QRCode.toDataURL(setup.otpauth_uri, { width: 240 });\n```',
  'Then ask for the code the app shows and send it to `POST /auth/mfa/totp/confirm`. docs/mfa.md has the whole flow.',
].join('\n\n');

@ApiTags('mfa')
@ApiProblems(401, 403, 422, 429)
@Controller('auth/mfa')
export class MfaController {
  constructor(
    private readonly enrolment: TotpEnrolmentService,
    private readonly settings: MfaSettingsService,
  ) {}

  @Post('totp/setup')
  @Consumes('application/json')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'Start turning on two-step sign-in: a new authenticator secret',
    description: `With the password entered again, a new pending TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s). Nothing changes for sign-in until it is confirmed; a new setup replaces a pending one; 409 when MFA is already on.\n\n${QR_HOW_TO}`,
    operationId: 'mfa_totp_setup',
  })
  @ApiOkResponse({ type: TotpSetupOut, headers: NO_STORE_HEADER })
  @ApiProblemCodes(409, ['mfa_already_enabled'], 'MFA is already on for this account')
  setup(@CurrentUser() user: User, @Client() client: ClientInfo, @Body() body: MfaPasswordDto): Promise<TotpSetupOut> {
    return this.enrolment.setup(user, body.password, client);
  }

  @Post('totp/confirm')
  @RateLimit('login')
  @Consumes('application/json')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'Turn on two-step sign-in with a code from the app; get the recovery codes',
    description:
      "Confirms the pending secret with the 6-digit code the app shows now (that code is then spent). MFA is on: every other session of the user ends, and the ten recovery codes are in this answer only; ask the user to store them. Wrong codes count against the account's login limits.",
    operationId: 'mfa_totp_confirm',
  })
  @ApiOkResponse({ type: RecoveryCodesOut, headers: NO_STORE_HEADER })
  @ApiProblemCodes(409, ['mfa_setup_required', 'mfa_already_enabled'], 'No MFA setup is pending: call /auth/mfa/totp/setup first')
  confirm(
    @CurrentUser() user: User,
    @CurrentSession() sessionId: number,
    @Client() client: ClientInfo,
    @Body() body: MfaCodeDto,
  ): Promise<RecoveryCodesOut> {
    return this.enrolment.confirm(user, sessionId, body.code, client);
  }

  @Post('totp/disable')
  @Consumes('application/json')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Turn off two-step sign-in',
    description:
      'With the password and a current code from the app, or an unused recovery code (a POST, since some clients drop the body of a DELETE). The authenticator, the recovery codes and any pending second steps go; the user is mailed.',
    operationId: 'mfa_totp_disable',
  })
  @ApiNoContentResponse({ description: 'MFA is off' })
  @ApiProblemCodes(409, ['mfa_not_enabled'], 'MFA is not on for this account')
  async disable(@CurrentUser() user: User, @Client() client: ClientInfo, @Body() body: DisableMfaDto): Promise<void> {
    await this.settings.disable(user, body.password, body.code, client);
  }

  @Post('recovery-codes')
  @RateLimit('login')
  @Consumes('application/json')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'A new set of recovery codes',
    description:
      'For a current code from the app (or an unused recovery code): ten new recovery codes, in this answer only; the earlier set stops working. The user is mailed.',
    operationId: 'mfa_recovery_codes_regenerate',
  })
  @ApiOkResponse({ type: RecoveryCodesOut, headers: NO_STORE_HEADER })
  @ApiProblemCodes(409, ['mfa_not_enabled'], 'MFA is not on for this account')
  regenerate(@CurrentUser() user: User, @Client() client: ClientInfo, @Body() body: MfaCodeDto): Promise<RecoveryCodesOut> {
    return this.settings.regenerateRecoveryCodes(user, body.code, client);
  }
}
