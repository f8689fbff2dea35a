import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { Client } from '../common/client-info.decorator.js';
import type { ClientInfo } from '../common/client-ip.js';
import { Consumes } from '../common/consumes.decorator.js';
import { User } from '../users/user.entity.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { DeleteAccountDto } from './dto/delete-account.dto.js';

@ApiTags('users')
@Controller('users/me')
export class AccountDeletionController {
  constructor(private readonly deletion: AccountDeletionService) {}

  @Post('delete')
  @Consumes('application/json')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete my account and everything it holds',
    description:
      "Deletes the caller's account with its todos, sessions and tokens, after checking the password (limited as logins are; a wrong one is the 401 of a password change) and, when the second factor is on, a `code`. The last active admin cannot (409). The account's security events stay, under its id, without its email (`account.deleted`). A POST, not a DELETE with a body, which some clients drop.",
    operationId: 'users_delete_account',
  })
  @ApiNoContentResponse({ description: 'Deleted; every token of the account stops working' })
  @ApiProblems(401, 403, 409, 422, 429)
  async delete(@CurrentUser() user: User, @Client() client: ClientInfo, @Body() body: DeleteAccountDto): Promise<void> {
    await this.deletion.deleteOwn(user, body, client);
  }
}
