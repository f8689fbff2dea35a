import { STATUS_CODES } from 'node:http';
import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, type ApiResponseOptions, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from './problem.dto.js';

/** What each status means here, and a typical `detail`. */
const STATUSES: Record<number, [description: string, detail: string]> = {
  400: ['Malformed request: a body that is not valid JSON, or a URL that is not valid percent-encoding', 'Body is not valid JSON'],
  401: ['Missing, invalid or expired credentials', 'Invalid token'],
  403: ['Not allowed: inactive account or missing role', 'Inactive account'],
  404: ['Not found, or not yours', 'Todo not found'],
  409: ['Conflict with the current state', 'Email already registered'],
  413: ['Body larger than 100 KB', 'Request body is too large'],
  415: ['Body neither JSON nor a form', 'Unsupported content type'],
  422: ['Validation failed; `errors` lists the fields', 'Validation failed'],
  429: ['Too many attempts from this client or on this account', 'Too many requests, retry later'],
  503: ['A dependency is down', 'A dependency is unavailable, please retry'],
};

/** Headers that come with a status wherever it is answered. */
const HEADERS: Record<number, ApiResponseOptions['headers']> = {
  401: { 'WWW-Authenticate': { description: 'Always `Bearer`', schema: { type: 'string', example: 'Bearer' } } },
  429: { 'Retry-After': { description: 'Seconds until the limit resets', schema: { type: 'integer', example: 60 } } },
};

/** The documented response for an error status: a problem+json body (`schema`, a `Problem` by default) with an example, and its headers. */
export function problemResponse(status: number, detail?: string, schema: Type<ProblemDto> = ProblemDto, extra: object = {}) {
  const [description, typicalDetail] = STATUSES[status] ?? [STATUS_CODES[status] ?? 'Error', STATUS_CODES[status] ?? 'Error'];
  const example = {
    type: 'about:blank',
    title: STATUS_CODES[status],
    status,
    detail: detail ?? typicalDetail,
    ...(status === 422 ? { errors: [{ field: 'title', message: 'title must be a string' }] } : {}),
    ...extra,
  };
  return {
    description,
    content: { 'application/problem+json': { schema: { $ref: getSchemaPath(schema) }, example } },
    headers: HEADERS[status],
  };
}

/** Documents the problem+json errors an operation can answer with, each with its own example. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(ApiExtraModels(ProblemDto), ...statuses.map((status) => ApiResponse({ status, ...problemResponse(status) })));
}
