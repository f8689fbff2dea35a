import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import { ApiResponse, getSchemaPath, ApiExtraModels } from '@nestjs/swagger';
import { ProblemDto } from './problem.dto.js';

const WHY: Record<number, string> = {
  400: 'Malformed body',
  401: 'Missing, invalid or expired credentials',
  403: 'Not allowed',
  404: 'Not found, or not yours',
  409: 'Conflict',
  413: 'Body larger than 100 KB',
  415: 'Unsupported content type',
  422: 'Validation failed',
};

/** Documents the problem+json errors an operation can answer with. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: WHY[status] ?? STATUS_CODES[status],
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
        ...(status === 401
          ? { headers: { 'WWW-Authenticate': { description: 'Always `Bearer`', schema: { type: 'string' } } } }
          : {}),
      }),
    ),
  );
}
