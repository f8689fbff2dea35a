import { HttpStatus } from '@nestjs/common';
import { HttpExceptionWithHeaders } from '../common/http-exception-with-headers.js';
import { coded } from '../common/problem-codes.js';

/** 429, with `Retry-After` in whole seconds. */
export class RateLimitedException extends HttpExceptionWithHeaders {
  constructor(retryAfterSeconds: number) {
    super(coded('rate_limited', 'Too many requests, retry later'), HttpStatus.TOO_MANY_REQUESTS, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}
