import { Controller, Delete, HttpCode } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import { Roles } from '../auth/decorators/roles.decorator.js';
import { ApiProblemCodes, ApiProblems } from '../common/api-problems.decorator.js';
import { Client } from '../common/client-info.decorator.js';
import type { ClientInfo } from '../common/client-ip.js';
import { IdParam, INT_ID } from '../common/parse-id.pipe.js';
import { Role } from '../users/role.enum.js';
import { User } from '../users/user.entity.js';
import { MfaSettingsService } from './mfa-settings.service.js';

@ApiTags('admin')
@ApiProblems(401, 422)
@Roles(Role.Admin)
@Controller('admin/users')
export class AdminMfaController {
  constructor(private readonly settings: MfaSettingsService) {}

  @Delete(':id/mfa')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Turn off a user’s two-step sign-in (lost device)',
    description:
      'Removes the user’s authenticator and recovery codes, so their password alone signs them in until they set MFA up again; the user is mailed. 409 when their MFA is off. Admins only.',
    operationId: 'admin_users_mfa_reset',
  })
  @ApiNoContentResponse({ description: 'MFA is off for that user' })
  @ApiProblems(404)
  @ApiProblemCodes(409, ['mfa_not_enabled'], 'MFA is not on for this account')
  async reset(@CurrentUser() admin: User, @Client() client: ClientInfo, @IdParam(INT_ID, "The account's id") id: number): Promise<void> {
    await this.settings.resetByAdmin(id, admin.id, client);
  }
}
