import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toProblem } from './problem.js';

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
  const body = toProblem(exception);
  if (body.status >= 500) logger.error(exception instanceof Error ? exception.stack : String(exception));
  body.instance = request.url.split('?', 1)[0];
  if (body.status === 401) reply.header('www-authenticate', 'Bearer');
  reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}
