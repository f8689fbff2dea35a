import { Controller, Get, Header, Inject, NotFoundException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Public } from './decorators/public.decorator.js';
import { JsonWebKeySetDto } from './dto/jwks.dto.js';
import { coded } from '../common/problem-codes.js';

@ApiTags('auth')
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(@Inject(authConfig.KEY) private readonly config: AuthConfig) {}

  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({
    summary: 'The public keys that verify access tokens (asymmetric signing only)',
    description:
      'The public keys (RFC 7517) that verify access tokens, by `kid`, when tokens are signed asymmetrically: a resource server can verify them without calling this API. 404 when tokens are signed with a shared secret.',
    operationId: 'auth_jwks',
  })
  @ApiOkResponse({
    description: 'A JWK Set: the current key and any rotated ones still accepted',
    type: JsonWebKeySetDto,
    example: {
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          x: 'H_G4jpoWe6wXsOHwtA3CKQPd8VaF65yQjEXnr-8Nx48',
          y: 'IymkfrTv7vlJ5oJHKsNDfpjxJ2iXQInCwPENarV7QBM',
          kid: 's79Z83iNTzjsWjOHMJSbuIRwrgtLt4upJfWI1HBGXFs',
          alg: 'ES256',
          use: 'sig',
        },
      ],
    },
  })
  @ApiProblems(404)
  jwks(): { keys: object[] } {
    if (this.config.keys.jwks.length === 0)
      throw new NotFoundException(coded('not_found', 'Tokens are signed with a shared secret: no public keys'));
    return { keys: this.config.keys.jwks };
  }
}
