import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, type ApiResponseOptions, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CODE_LIST, PROBLEM_CODES, type ProblemCode, problemType } from './problem-codes.js';
import { ProblemDto } from './problem.dto.js';

/** What each status means here, its typical code and `detail`. */
const STATUSES: Record<number, [description: string, code: ProblemCode, detail: string]> = {
  400: [
    'Malformed request: a body that is not valid JSON, or a URL that is not valid percent-encoding',
    'malformed_request',
    'Body is not valid JSON',
  ],
  401: ['Missing, invalid or expired credentials', 'invalid_token', 'Invalid token'],
  403: ['Not allowed: inactive account or missing role', 'inactive_account', 'Inactive account'],
  404: ['Not found, or not yours', 'not_found', 'Todo not found'],
  409: ['Conflict with the current state', 'email_taken', 'Email already registered'],
  413: ['Body larger than 100 KB', 'payload_too_large', 'Request body is too large'],
  415: ['Body neither JSON nor a form', 'unsupported_media_type', 'Unsupported content type'],
  422: ['Validation failed; `errors` lists the fields', 'validation_failed', 'Validation failed'],
  429: ['Too many attempts from this client or on this account', 'rate_limited', 'Too many requests, retry later'],
  503: ['A dependency is down', 'service_unavailable', 'A dependency is unavailable, please retry'],
};

/** Headers that come with a status wherever it is answered. */
const HEADERS: Record<number, ApiResponseOptions['headers']> = {
  401: {
    'WWW-Authenticate': {
      description: '`Bearer` (RFC 6750 §3), with `error="invalid_token"` when a token was sent and refused',
      schema: { type: 'string', example: 'Bearer error="invalid_token"' },
    },
  },
  429: { 'Retry-After': { description: 'Seconds until the limit resets', schema: { type: 'integer', example: 60 } } },
};

/** The codes a status can carry, so a generated client narrows `code` by status. */
const codesOf = (status: number) => PROBLEM_CODE_LIST.filter((code) => PROBLEM_CODES[code].status === status);

/**
 * The documented response for an error status: a problem+json body (`schema`, a `Problem` by
 * default, its `code` narrowed to the status's codes) with an example, and its headers.
 */
export function problemResponse(
  status: number,
  detail?: string,
  schema: Type<ProblemDto> = ProblemDto,
  extra: { code?: ProblemCode; [member: string]: unknown } = {},
  codes: ProblemCode[] = codesOf(status),
) {
  const [description, typicalCode, typicalDetail] = STATUSES[status] ?? [
    PROBLEM_CODES[codesOf(status)[0]].title,
    codesOf(status)[0],
    PROBLEM_CODES[codesOf(status)[0]].title,
  ];
  const code = extra.code ?? (codes.includes(typicalCode) ? typicalCode : codes[0]);
  const example = {
    type: problemType(code),
    title: PROBLEM_CODES[code].title,
    status,
    detail: detail ?? typicalDetail,
    code,
    ...(status === 422 ? { errors: [{ field: 'title', message: 'title must be a string', code: 'required' }] } : {}),
    ...extra,
  };
  return {
    description,
    content: {
      'application/problem+json': {
        schema: { allOf: [{ $ref: getSchemaPath(schema) }, { type: 'object', properties: { code: { type: 'string', enum: codes } } }] },
        example,
      },
    },
    headers: HEADERS[status],
  };
}

/**
 * Narrows one status of an operation to the codes it can really answer (`codes[0]` is the
 * example's). Put it above the operation's `@ApiProblems`, whose entry for that status it replaces.
 */
export function ApiProblemCodes(status: number, codes: ProblemCode[], detail?: string, extra: Record<string, unknown> = {}) {
  return ApiResponse({ status, ...problemResponse(status, detail, ProblemDto, { code: codes[0], ...extra }, codes) });
}

/** Documents the problem+json errors an operation can answer with, each with its own example. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(ApiExtraModels(ProblemDto), ...statuses.map((status) => ApiResponse({ status, ...problemResponse(status) })));
}
