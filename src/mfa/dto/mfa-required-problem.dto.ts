import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ProblemDto } from '../../common/problem.dto.js';

@ApiSchema({
  name: 'MfaRequiredProblem',
  description: 'A problem that, with `code: "mfa_required"`, carries the token that continues the login at `POST /auth/mfa/verify`',
})
export class MfaRequiredProblemDto extends ProblemDto {
  @ApiPropertyOptional({
    description:
      'With `mfa_required` only: opaque (not a JWT), valid 5 minutes for at most 5 attempts, spent by a successful `POST /auth/mfa/verify`',
    example: 'q3xXfQd2kLw1C0pJ5m0lq9gN2c8y5XQ0yJ3vW6nR1tA',
  })
  mfa_token?: string;
}
