import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { clientIp } from '../common/client-ip.js';
import type { ClientInfo } from './sessions.service.js';

/** The user agent and the client IP (`clientIp`: canonical, the proxy's view when `TRUST_PROXY` is on). */
export const Client = createParamDecorator((_data: unknown, context: ExecutionContext): ClientInfo => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const userAgent = request.headers['user-agent'];
  return { userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null, ip: clientIp(request) ?? null };
});
