import { HttpException, HttpStatus } from '@nestjs/common';

/** 429; the problem filter turns `retryAfterSeconds` into the `Retry-After` header. */
export class RateLimitedException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many requests, retry later', HttpStatus.TOO_MANY_REQUESTS);
  }
}
