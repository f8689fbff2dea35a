import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Logger as PinoNestLogger, type Params, PinoLogger } from 'nestjs-pino';
import pino, { type Logger, type LoggerOptions } from 'pino';
import PinoPretty from 'pino-pretty';
import { type LogFormat, loadLogSettings, type LogSettings } from '../config/logging.config.js';
import { serializeError } from './error-serializer.js';

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

/** Query parameters whose value is a secret, by their decoded, lower-cased name. */
const SECRET_PARAMS = new Set(['password', 'new_password', 'current_password', 'token', 'access_token', 'refresh_token', 'client_secret']);

/**
 * A JWT (its `{"` header makes it start `eyJ`; any three long base64url segments also count) or a
 * refresh token (43 base64url characters, see opaque-token.ts). Runs are anchored at their start
 * so that a long run without a match costs linear time, not quadratic.
 */
const SECRET_SHAPED = /eyJ|(?<![\w-])(?:[\w-]{43}(?![\w-])|[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,})/;

/** Cheap test for URLs with nothing to redact: no query, nothing encoded, nothing token-shaped. */
const MAYBE_SECRET = new RegExp(`[?;%]|${SECRET_SHAPED.source}`);
const PATH_PIECE = /[^/,=]+/g;
const QUERY_PARAM = /[^&;]+/g;
const BRACKET_SUFFIX = /(?:\[[^\]]*\])+$/;

/** Only ASCII is sought (names, base64url tokens): other escapes stay, and nothing can throw. */
const PERCENT_ENCODED_ASCII = /%[0-7][\da-f]/gi;
const decodeByte = (escape: string) => String.fromCharCode(parseInt(escape.slice(1), 16));

/** Percent-decoded, a few rounds deep, so double encoding hides nothing either. */
function decoded(text: string): string {
  for (let round = 0; round < 3 && text.includes('%'); round += 1) {
    const next = text.replace(PERCENT_ENCODED_ASCII, decodeByte);
    if (next === text) break;
    text = next;
  }
  return text;
}

const redactIfShaped = (piece: string) => (piece.length >= 3 && SECRET_SHAPED.test(decoded(piece)) ? '[redacted]' : piece);

function redactParam(param: string): string {
  const eq = param.indexOf('=');
  if (eq === -1) return redactIfShaped(param);
  const name = param.slice(0, eq);
  if (SECRET_PARAMS.has(decoded(name).replace(BRACKET_SUFFIX, '').toLowerCase())) return `${name}=[redacted]`;
  return `${redactIfShaped(name)}=${redactIfShaped(param.slice(eq + 1))}`;
}

/**
 * A password or token someone put in a URL stays out of the logs: secret query parameters however
 * their name is spelled (`pass%77ord`, `password[]`, after `;`), and any JWT- or refresh-token-shaped
 * piece of the path or query, encoded or not. What follows a `;` is read as parameters too, as some
 * servers take it. Most URLs have none of this and are returned after one regular-expression test.
 */
export function redactUrl(url: string): string {
  if (!MAYBE_SECRET.test(url)) return url;
  const start = url.search(/[?;]/);
  const path = (start === -1 ? url : url.slice(0, start)).replace(PATH_PIECE, redactIfShaped);
  return start === -1 ? path : path + url[start] + url.slice(start + 1).replace(QUERY_PARAM, redactParam);
}

/** What may wait in memory for a slow log reader; beyond it new lines are dropped, not the process. */
const LOG_BUFFER_BYTES = 16 * 1024 * 1024;

/**
 * `LOG_FORMAT` when set; otherwise pretty for a person at a terminal, and JSON for whatever else
 * reads stdout (a container runtime, a log shipper, a file) and for production.
 */
export function logFormat(given: LogFormat | undefined, nodeEnv: string, stdoutIsTTY: boolean): LogFormat {
  return given ?? (stdoutIsTTY && nodeEnv !== 'production' ? 'pretty' : 'json');
}

/**
 * The application's one pino logger on stdout, secrets redacted, errors reduced to what describes
 * them (`serializeError`).
 *
 * As JSON, lines are written asynchronously (a write in flight collects the lines logged meanwhile
 * into the next one), so a busy server makes a few large writes rather than a system call per
 * line; pino flushes what is left when the process exits. Should stdout stall, at most
 * `LOG_BUFFER_BYTES` wait.
 *
 * Pretty, through pino-pretty in this thread and synchronously: one line per entry, its context in
 * brackets, in the order logged even when the process exits straight after.
 */
export function createRootLogger(level: string, format: LogFormat): Logger {
  if (format === 'json') return pino(rootLoggerOptions(level), pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_BYTES }));
  const pretty = PinoPretty({
    sync: true,
    colorize: process.stdout.isTTY === true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
  return pino(rootLoggerOptions(level), pretty);
}

/** The root logger's options, apart from where it writes. */
export function rootLoggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { err: serializeError } };
}

/**
 * Nest's contexts whose `log` lines describe how the application is wired, one per module or
 * route: at `info` they were sixty-odd lines before "Listening on". At `debug` they are still there
 * for whoever looks for them.
 */
export const WIRING_CONTEXTS: ReadonlySet<string> = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * Nest's logger: nestjs-pino's over the root logger, with the wiring lines at `debug`. Nest's own
 * logger has one level for every context, so the demotion happens here, by the context Nest passes
 * last. nestjs-pino's per-request middleware is not mounted: it runs every request inside an
 * AsyncLocalStorage scope, which on Node 20 turns on promise hooks for the whole process, and with
 * pino-http it cost a third of the server's CPU on `GET /users/me`. The request line comes from
 * `logRequests` instead. nestjs-pino keeps the first root logger it is given for the whole process:
 * one per server, but the e2e tests' apps in one process share the first one's.
 */
export class AppLogger extends PinoNestLogger {
  constructor(root: Logger) {
    const params: Params = { pinoHttp: { logger: root, wrapSerializers: false }, forRoutes: [] };
    super(new PinoLogger(params), params);
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && WIRING_CONTEXTS.has(context)) super.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

/**
 * The root logger and Nest's logger over it, from the logging variables alone, so that it exists
 * before the rest of the configuration is checked and reports that check's failure too.
 */
export function createLoggers(
  settings: LogSettings = loadLogSettings(),
  stdoutIsTTY = process.stdout.isTTY === true,
): { root: Logger; nest: AppLogger } {
  const root = createRootLogger(settings.level, logFormat(settings.format, settings.nodeEnv, stdoutIsTTY));
  return { root, nest: new AppLogger(root) };
}

/**
 * One line per request: "request completed" with the request id, method and URL (secrets taken
 * out), the status and the time taken, at `warn` for a 4xx; "request errored" at `error` for a
 * 5xx (an unexpected error is also logged by the problem filter, with the same request id); "request
 * aborted" at `warn` when the client went away first.
 */
export function logRequests(fastify: FastifyInstance, root: Logger): void {
  // Every field of these lines is built here, secrets already out of the URL, so they skip the
  // redaction pass, which cost 15–20 µs a line against 2 µs for writing it.
  const logger = root.child({}, { redact: [] });
  const req = (request: FastifyRequest) => ({ id: request.id, method: request.method, url: redactUrl(request.url) });
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (logger.isLevelEnabled(level)) {
      logger[level](
        { req: req(request), res: { statusCode: status }, responseTime: Math.round(reply.elapsedTime) },
        status >= 500 ? 'request errored' : 'request completed',
      );
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    logger.warn({ req: req(request) }, 'request aborted');
    done();
  });
}
