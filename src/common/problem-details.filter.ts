import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger, MethodNotAllowedException } from '@nestjs/common';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { allowedMethodsFor } from './allowed-methods.js';
import { HttpExceptionWithHeaders } from './http-exception-with-headers.js';
import { redactUrl } from './logging.js';
import { type Problem, toProblem } from './problem.js';
import { type OAuthError, PROBLEM_CODES } from './problem-codes.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** The one place where errors become responses: RFC 9457 problem+json for everything. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), exception, this.logger);
  }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, exception: unknown, logger: Logger): void {
  // No route matched: a path served under other methods answers 405 with them in `Allow`.
  const allow = allowedMethodsFor(request);
  if (allow.length > 0) {
    reply.header('allow', allow.join(', '));
    exception = new MethodNotAllowedException(`${request.method} is not served here; allowed: ${allow.join(', ')}`);
  }
  const body = toProblem(exception);
  // What went wrong unexpectedly, with the request id so it matches its request line. A 5xx the
  // code chose to answer (a failed readiness check, polled by every load balancer) is no error
  // to log: its request line says enough.
  if (body.status >= 500 && !(exception instanceof HttpException)) {
    logger.error({ req: { id: request.id }, err: exception instanceof Error ? exception : new Error(String(exception)) }, 'Request failed');
  }
  // A token pasted into the path would otherwise come back in the body, for client-side error
  // reporting to log; Nest's "Cannot GET /path?query" would also echo the query string.
  body.instance = redactUrl(request.url.split('?', 1)[0]);
  if (body.status === 404 && body.detail.startsWith(`Cannot ${request.method} `)) {
    body.detail = `No route for ${request.method} ${body.instance}`;
  }
  if (body.status === 401) reply.header('www-authenticate', wwwAuthenticate(body));
  if (speaksOAuth(request)) {
    const error = oauthError(body);
    if (error) body.error = error;
  }
  if (exception instanceof HttpExceptionWithHeaders) reply.headers(exception.headers);
  reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** RFC 6750 §3: `error="invalid_token"` when a token was sent and refused; a bare challenge when none was. */
function wwwAuthenticate(body: Problem): string {
  const { bearer } = PROBLEM_CODES[body.code] as { bearer?: string };
  return bearer ? `Bearer error="${bearer}"` : 'Bearer';
}

/** Routes marked `@OAuthTokenEndpoint()` answer RFC 6749 §5.2's `error` beside `code`. */
export const OAUTH_ROUTE_CONFIG = 'oauthErrors';

function speaksOAuth(request: FastifyRequest): boolean {
  const config = request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
  return config?.[OAUTH_ROUTE_CONFIG] === true;
}

function oauthError(body: Problem): OAuthError | undefined {
  if (body.errors?.some((error) => error.field === 'grant_type' && error.code === 'invalid_choice')) return 'unsupported_grant_type';
  return (PROBLEM_CODES[body.code] as { oauth?: OAuthError }).oauth;
}

const CLIENT_ERROR_STATUS: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };

/** What Node reports on the connection (malformed HTTP, a request too slow to arrive): answered on the socket, still as problem+json, and closed. */
export function writeClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
  const body: Problem = toProblem(Object.assign(new Error('client error'), { statusCode: status }));
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${body.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}
