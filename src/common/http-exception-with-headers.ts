import { HttpException } from '@nestjs/common';

/**
 * An HttpException whose problem response carries headers of its own (a 429's `Retry-After`): the
 * problem filter sets them, so it needs to know no feature's exceptions.
 */
export class HttpExceptionWithHeaders extends HttpException {
  constructor(
    response: string | Record<string, unknown>,
    status: number,
    readonly headers: Readonly<Record<string, string>>,
  ) {
    super(response, status);
  }
}
