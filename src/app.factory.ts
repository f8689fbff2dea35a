import fastifyCookie from '@fastify/cookie';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { learnAllowedMethods } from './common/allowed-methods.js';
import { corsDelegator } from './common/cors.js';
import { jsonBodyParser } from './common/json-body.js';
import { createLoggers, logRequests, REQUEST_ID_HEADER, requestId } from './common/logging.js';
import { sendProblem, writeClientError } from './common/problem-details.filter.js';
import { applySecurityHeaders } from './common/security-headers.js';
import { appConfig, type AppConfig } from './config/app.config.js';
import { loadEnv } from './config/env.js';
import { MetricsService } from './metrics/metrics.service.js';
import { setupSwagger } from './swagger.js';

export const BODY_LIMIT_BYTES = 100 * 1024;
const logger = new NestLogger('Http');

/** The whole application, configured identically for the server, the CLI's peers and the e2e tests. */
export async function createApp(): Promise<NestFastifyApplication> {
  // Nest logs through pino from the first line, not after start-up: a refused configuration, the
  // database retries and a failed start read like every other line (JSON in production).
  const loggers = createLoggers();
  NestLogger.overrideLogger(loggers.nest);
  // Fail fast, before Nest starts, on configuration that cannot work (every variable at once);
  // the signing keys are checked as Nest builds `authConfig`, before the server listens.
  const { app: env } = loadEnv();
  const { headersMs, requestMs, keepAliveMs } = env.httpTimeouts;
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Slow clients: Node answers 408 and closes a connection whose headers (the timer runs from
    // its first byte, or from the connection for one that sends nothing) or whole request are late,
    // but only when it checks: 30 s apart by default, here at most a quarter of the headers timeout.
    // No idle-socket timeout (`connectionTimeout`): it would also cut requests whose handler is slow.
    requestTimeout: requestMs,
    keepAliveTimeout: keepAliveMs,
    http: { headersTimeout: headersMs, connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.round(headersMs / 4))) },
    // A hop count trusts that many proxies nearest the server, as proxy-addr counts them.
    trustProxy: typeof env.trustProxy === 'number' ? (_address: string, hop: number) => hop < (env.trustProxy as number) : env.trustProxy,
    requestIdHeader: false,
    genReqId: requestId,
    // Errors Fastify answers before Nest sees the request: bad URLs, then malformed HTTP.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendProblem(request, reply, error, logger),
    clientErrorHandler: writeClientError,
  });
  const fastify = adapter.getInstance();
  learnAllowedMethods(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // Shutting down (the server no longer listens): answers to requests already in flight close
  // their connection, so no keep-alive socket holds the shutdown open once they are done.
  fastify.addHook('onSend', (_request, reply, _payload, done) => {
    if (!fastify.server.listening) reply.header('connection', 'close');
    done();
  });
  // The API takes JSON and forms only; Fastify would otherwise hand text/plain bodies to handlers.
  fastify.removeContentTypeParser('text/plain');
  // abortOnError: false lets a start-up failure reach the caller instead of aborting the process.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, { logger: loggers.nest, abortOnError: false });
  logRequests(fastify, loggers.root);
  fastify.addHook('onResponse', app.get(MetricsService).observe);
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit: BODY_LIMIT_BYTES }, jsonBodyParser(fastify));
  applySecurityHeaders(app);
  // Only the refresh-cookie routes read cookies, and parse them themselves: no hook on every request.
  await app.register(fastifyCookie, { hook: false });
  const config = app.get<AppConfig>(appConfig.KEY);
  if (config.corsOrigins.length > 0) app.enableCors({ delegator: corsDelegator(config.corsOrigins) });
  if (config.swaggerEnabled) setupSwagger(app, config.apiUrl);
  return app;
}
