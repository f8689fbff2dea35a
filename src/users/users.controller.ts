import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import { toUserOut, UserOut } from './dto/user-out.dto.js';
import { User } from './user.entity.js';

@ApiTags('users')
@ApiProblems(401, 403)
@Controller('users')
export class UsersController {
  @Get('me')
  @ApiOperation({
    summary: 'The signed-in user',
    description: 'The account the access token speaks for, read fresh on every call (a role change or deactivation shows at once).',
    operationId: 'users_me',
  })
  @ApiOkResponse({ type: UserOut })
  me(@CurrentUser() user: User): UserOut {
    return toUserOut(user);
  }
}
