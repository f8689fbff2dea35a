import { HttpStatus } from '@nestjs/common';
import { HttpExceptionWithHeaders } from '../common/http-exception-with-headers.js';

/** 429, with `Retry-After` in whole seconds. */
export class RateLimitedException extends HttpExceptionWithHeaders {
  constructor(retryAfterSeconds: number) {
    super('Too many requests, retry later', HttpStatus.TOO_MANY_REQUESTS, { 'retry-after': String(retryAfterSeconds) });
  }
}
