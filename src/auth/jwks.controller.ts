import { Controller, Get, Header, Inject, NotFoundException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { authConfig, type AuthConfig } from '../config/configuration.js';
import { Public } from './decorators/public.decorator.js';

@ApiTags('auth')
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(@Inject(authConfig.KEY) private readonly config: AuthConfig) {}

  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({
    summary: 'The public keys that verify access tokens (asymmetric signing only)',
    operationId: 'auth_jwks',
  })
  @ApiOkResponse({ description: 'A JWK Set: the current key and any rotated ones still accepted' })
  @ApiProblems(404)
  jwks(): { keys: object[] } {
    if (this.config.keys.jwks.length === 0) throw new NotFoundException('Tokens are signed with a shared secret: no public keys');
    return { keys: this.config.keys.jwks };
  }
}
