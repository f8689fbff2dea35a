import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';

const REQUEST_ID = /^[\w.:-]{1,128}$/;
export const REQUEST_ID_HEADER = 'x-request-id';

/** The caller's (or the load balancer's) `X-Request-Id` when it is sane, otherwise a new UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Anything that could let a log reader act as a user. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.access_token',
  '*.refresh_token',
  '*.token',
  '*.client_secret',
];

const SECRET_QUERY_PARAMS = /([?&](?:password|new_password|current_password|token|access_token|refresh_token|client_secret)=)[^&]*/gi;

/** Anything shaped like a JWT, wherever it appears in a URL. */
const JWT_LIKE = /eyJ[\w-]*(?:\.[\w-]*){0,2}/g;

/** A password or token someone put in a URL stays out of the logs. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[redacted]').replace(JWT_LIKE, '[redacted]');
}

/** One JSON line per request, carrying the request id Fastify assigned. */
export function pinoParams(level: string): Params {
  return {
    // nestjs-pino's default route pattern does not reach Fastify's middleware layer in Nest 12.
    forRoutes: [{ path: '*splat', method: RequestMethod.ALL }],
    pinoHttp: {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
