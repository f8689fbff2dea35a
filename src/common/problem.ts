import { STATUS_CODES } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import {
  defaultCodeFor,
  type FieldErrorCode,
  isProblemCode,
  type OAuthError,
  PROBLEM_CODES,
  type ProblemCode,
  problemType,
} from './problem-codes.js';

export interface FieldError {
  field: string;
  message: string;
  code: FieldErrorCode;
}

/** RFC 9457 problem details, the body of every error response. */
export interface Problem {
  /** `tag:` URI naming `code` (see problem-codes.ts). */
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  instance?: string;
  errors?: FieldError[];
  /** RFC 6749 §5.2's error, on the token endpoint's problems. */
  error?: OAuthError;
  /** A failed readiness check: each dependency up or down, and nothing more. */
  checks?: Record<string, { status: string }>;
  /** `mfa_required`: the token that continues the login at `POST /auth/mfa/verify`. */
  mfa_token?: string;
}

/** Members (RFC 9457 §3.2 extensions) an exception may add to its problem; none can replace a standard one. */
export type ProblemExtensions = Pick<Problem, 'mfa_token'>;

/** Messages and codes for the unique constraints a client can run into, by constraint name. */
const UNIQUE_VIOLATIONS: Record<string, [ProblemCode, string]> = {
  UQ_users_email: ['email_taken', 'Email already registered'],
};

/** Network errors, and PostgreSQL's connection exceptions (class 08), shutdowns and too many connections. */
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
  '57P01',
  '57P02',
  '57P03',
]);

function problem(status: number, detail?: string, errors?: FieldError[], code: ProblemCode = defaultCodeFor(status)): Problem {
  const { title } = PROBLEM_CODES[code];
  const fallback = STATUS_CODES[status] ?? title;
  return { type: problemType(code), title, status, detail: detail ?? fallback, code, ...(errors ? { errors } : {}) };
}

function fromHttpException(exception: HttpException): Problem {
  const status = exception.getStatus();
  const body = exception.getResponse();
  if (typeof body === 'string') return problem(status, body);
  const { message, errors, details, code, extensions } = body as {
    message?: unknown;
    errors?: unknown;
    details?: Record<string, { status: string }>;
    code?: unknown;
    extensions?: ProblemExtensions;
  };
  // Terminus's failed health check: which dependencies are down, without their error text (host,
  // port, driver message), which is for the logs and not for anyone who can reach the probe.
  if (details && typeof details === 'object' && !Array.isArray(errors)) {
    const checks = Object.fromEntries(Object.entries(details).map(([name, check]) => [name, { status: check.status }]));
    const down = Object.keys(checks).filter((name) => checks[name].status !== 'up');
    return { ...problem(status, `Not ready: ${down.join(', ')}`, undefined, 'not_ready'), checks };
  }
  const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : undefined;
  const answer = problem(
    status,
    detail,
    Array.isArray(errors) ? (errors as FieldError[]) : undefined,
    isProblemCode(code) ? code : undefined,
  );
  return extensions ? { ...answer, mfa_token: extensions.mfa_token } : answer;
}

function fromDatabaseError(exception: QueryFailedError): Problem | undefined {
  const { code, constraint } = exception.driverError as { code?: string; constraint?: string };
  if (code === '23505') {
    const [known, detail] = (constraint && UNIQUE_VIOLATIONS[constraint]) || ['conflict', 'Resource already exists'];
    return problem(HttpStatus.CONFLICT, detail, undefined, known);
  }
  if (code === '23503') return problem(HttpStatus.CONFLICT, 'A referenced resource no longer exists');
  if (code === '40001' || code === '40P01')
    return problem(HttpStatus.CONFLICT, 'Concurrent update, please retry', undefined, 'concurrent_update');
  if (code?.startsWith('22')) return problem(HttpStatus.UNPROCESSABLE_ENTITY, 'A value is out of range or malformed');
  return undefined;
}

/** Fastify's own errors (body parsing, limits) carry a 4xx `statusCode` and a `FST_` code. */
function fromFrameworkError(exception: Error & { statusCode?: unknown; code?: unknown }): Problem | undefined {
  const status = exception.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (status === 413) return problem(413, 'Request body is too large');
  if (status === 415) return problem(415, 'Unsupported content type');
  if (status === 400 && typeof exception.code === 'string' && exception.code.startsWith('FST_ERR_CTP')) {
    return problem(400, 'Malformed request body');
  }
  return problem(status, status === 400 ? 'Bad request' : undefined);
}

function isDependencyDown(exception: unknown): boolean {
  const code = (exception as { code?: unknown })?.code;
  if (typeof code === 'string' && CONNECTION_ERRORS.has(code)) return true;
  // TypeORM's query runner lets its connection go when the connection fails: a transaction's next
  // statement then finds it released.
  if (exception instanceof Error && exception.name === 'QueryRunnerAlreadyReleasedError') return true;
  const message = exception instanceof Error ? exception.message : '';
  // node-postgres (a client whose connection failed is "not queryable"), and ioredis failing fast
  // (no offline queue) while Redis is away.
  return /timeout exceeded when trying to connect|Connection terminated|not queryable|connect ECONNREFUSED|Stream isn't writeable|Connection is closed|MaxRetriesPerRequest/i.test(
    message,
  );
}

/** Maps anything thrown while serving a request to the problem the client sees. */
export function toProblem(exception: unknown): Problem {
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (exception instanceof QueryFailedError) {
    const mapped = fromDatabaseError(exception);
    if (mapped) return mapped;
  }
  if (isDependencyDown(exception) || isDependencyDown((exception as { driverError?: unknown })?.driverError)) {
    return problem(HttpStatus.SERVICE_UNAVAILABLE, 'A dependency is unavailable, please retry');
  }
  if (exception instanceof Error) {
    const mapped = fromFrameworkError(exception);
    if (mapped) return mapped;
  }
  return problem(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal Server Error', undefined, 'internal_error');
}
