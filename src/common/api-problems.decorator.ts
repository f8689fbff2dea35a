import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from './problem.dto.js';

/** What each status means here, and a typical `detail`. */
const STATUSES: Record<number, [description: string, detail: string]> = {
  400: ['Malformed body', 'Body is not valid JSON'],
  401: ['Missing, invalid or expired credentials', 'Invalid token'],
  403: ['Not allowed: inactive account or missing role', 'Inactive account'],
  404: ['Not found, or not yours', 'Todo not found'],
  409: ['Conflict with the current state', 'Email already registered'],
  413: ['Body larger than 100 KB', 'Request body is too large'],
  415: ['Body neither JSON nor a form', 'Unsupported content type'],
  422: ['Validation failed; `errors` lists the fields', 'Validation failed'],
  503: ['A dependency is down', 'A dependency is unavailable, please retry'],
};

/** Documents the problem+json errors an operation can answer with, each with its own example. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) => {
      const [description, detail] = STATUSES[status] ?? [STATUS_CODES[status] ?? 'Error', STATUS_CODES[status] ?? 'Error'];
      const example = {
        type: 'about:blank',
        title: STATUS_CODES[status],
        status,
        detail,
        ...(status === 422 ? { errors: [{ field: 'title', message: 'title must be a string' }] } : {}),
      };
      return ApiResponse({
        status,
        description,
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) }, example } },
        ...(status === 401
          ? { headers: { 'WWW-Authenticate': { description: 'Always `Bearer`', schema: { type: 'string' } } } }
          : {}),
      });
    }),
  );
}
