import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { type ClientInfo, clientInfo } from './client-ip.js';

/** The user agent and the client IP (`clientIp`: canonical, the proxy's view when `TRUST_PROXY` is on). */
export const Client = createParamDecorator((_data: unknown, context: ExecutionContext): ClientInfo =>
  clientInfo(context.switchToHttp().getRequest<FastifyRequest>()),
);
