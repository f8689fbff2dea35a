import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiProblems, problemResponse } from '../common/api-problems.decorator.js';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  type IdempotentRequest,
  parseIdempotencyKey,
  requestFingerprint,
} from './idempotency-key.js';
import { KEY_IN_PROGRESS } from './idempotency.service.js';

/** The request's key and fingerprint when it sent an `Idempotency-Key`; a malformed key is a 422. */
export const Idempotency = createParamDecorator((_data: unknown, context: ExecutionContext): IdempotentRequest | undefined => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const key = parseIdempotencyKey(request.headers['idempotency-key']);
  if (key === undefined) return undefined;
  return { key, fingerprint: requestFingerprint(request.method, request.routeOptions.url ?? request.url, request.body) };
});

/**
 * Documents the optional header, and the 409 and 422 it can bring, on a route whose handler takes
 * `@Idempotency()`. Put it under a route's own `@ApiProblems(409)`, which then keeps its example.
 */
export function AcceptsIdempotencyKey({ anonymous = false }: { anonymous?: boolean } = {}) {
  // Without an account a key is only ever matched together with its body: another body is another request.
  const otherBody = anonymous ? 'The same key with another body is another request' : 'The same key with another body: 422';
  return applyDecorators(
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Makes a retry safe: a request repeated with the same key and the same body within 24 hours gets the first answer, and its work is not done again. ' +
        `${otherBody}; while the first request with the key is still running: 409. ` +
        `1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters, as a quoted string (IETF draft) or bare; a UUID is a good key.`,
      schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH, example: '"8e03978e-40d5-43e8-bc93-6894a57f9324"' },
    }),
    ApiResponse({ status: 409, ...problemResponse(409, KEY_IN_PROGRESS, undefined, { code: 'idempotency_key_in_progress' }) }),
    ApiProblems(422),
  );
}
