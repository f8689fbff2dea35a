import { isIP } from 'node:net';
import { registerAs, type ConfigType } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { durationMs, readArea, type Runtime, toBoolean, toInt } from './variables.js';

/** The HTTP server: where it listens, whom it trusts, how long it waits. */
export class AppVariables {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsString()
  TRUST_PROXY = 'false';

  @IsString()
  CORS_ORIGINS = '';

  @Transform(toBoolean)
  @IsBoolean()
  SWAGGER_ENABLED = true;

  @IsOptional()
  @IsString()
  API_URL?: string;

  @IsString()
  SHUTDOWN_TIMEOUT = '10s';

  @IsString()
  HTTP_HEADERS_TIMEOUT = '10s';

  @IsString()
  HTTP_REQUEST_TIMEOUT = '30s';

  @IsString()
  HTTP_KEEP_ALIVE_TIMEOUT = '72s';
}

/** At least a second: with less, every shutdown would cut requests off and exit 1. */
function shutdownTimeout(value: string): number {
  const millis = durationMs('SHUTDOWN_TIMEOUT', value);
  if (millis < 1_000) throw new Error(`SHUTDOWN_TIMEOUT must be at least 1s, got "${value}"`);
  return millis;
}

/**
 * Slow or idle clients: a request's headers, then the whole request, must arrive within these
 * from its first byte (or the connection's start); a kept-alive connection idle this long is closed.
 * None can be off: a client that sends nothing, or too little, would hold its connection for ever.
 */
function httpTimeouts(v: AppVariables) {
  const positive = (name: string, value: string) => {
    const millis = Math.round(durationMs(name, value));
    if (millis <= 0) throw new Error(`${name} must be more than 0, got "${value}"`);
    return millis;
  };
  const headersMs = positive('HTTP_HEADERS_TIMEOUT', v.HTTP_HEADERS_TIMEOUT);
  const requestMs = positive('HTTP_REQUEST_TIMEOUT', v.HTTP_REQUEST_TIMEOUT);
  if (headersMs > requestMs) {
    throw new Error(
      `HTTP_HEADERS_TIMEOUT ("${v.HTTP_HEADERS_TIMEOUT}") cannot exceed HTTP_REQUEST_TIMEOUT ("${v.HTTP_REQUEST_TIMEOUT}"): the headers are part of the request`,
    );
  }
  return { headersMs, requestMs, keepAliveMs: positive('HTTP_KEEP_ALIVE_TIMEOUT', v.HTTP_KEEP_ALIVE_TIMEOUT) };
}

/**
 * Fastify's `trustProxy`: off, a number of proxy hops, or the proxies' addresses and CIDRs.
 * `true` is refused: trusting every hop lets a client pick its own address with X-Forwarded-For
 * and so escape per-IP limits. Name the proxies, or count the hops in front of the service.
 */
function parseTrustProxy(value: string): false | number | string {
  const v = value.trim().toLowerCase();
  if (v === 'false' || v === '0' || v === 'off' || v === 'no') return false;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  const entries = v.split(',').map((e) => e.trim());
  const valid = (entry: string) => {
    const [address, bits] = entry.split('/');
    return isIP(address) !== 0 && (bits === undefined || /^\d{1,3}$/.test(bits));
  };
  if (entries.length > 0 && entries.every(valid)) return entries.join(',');
  throw new Error(
    `TRUST_PROXY must be false, the number of proxies in front of the service (e.g. 1), or their addresses/CIDRs (e.g. 10.0.0.0/8); got "${value}"`,
  );
}

/**
 * Where clients reach this API (`API_URL`), as the OpenAPI document's server: an absolute http(s)
 * URL, a path allowed (behind a prefix), no query or fragment, no trailing slash. Not `PUBLIC_URL`,
 * the base of links in mails, which may be the frontend's origin.
 */
function parseApiUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`API_URL must be an absolute URL such as https://api.example.com, got "${value}"`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new Error(`API_URL must be an http(s) URL without credentials, query or fragment, got "${value}"`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function toAppConfig(v: AppVariables, runtime: Runtime) {
  return {
    nodeEnv: runtime.nodeEnv,
    port: v.PORT,
    host: v.HOST,
    trustProxy: parseTrustProxy(v.TRUST_PROXY),
    corsOrigins: v.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    swaggerEnabled: v.SWAGGER_ENABLED,
    /** Unset: the served OpenAPI document names the origin it was fetched from. */
    apiUrl: parseApiUrl(v.API_URL),
    /** How long a SIGTERM waits for in-flight requests before the process gives up and exits 1. */
    shutdownTimeoutMs: shutdownTimeout(v.SHUTDOWN_TIMEOUT),
    httpTimeouts: httpTimeouts(v),
  };
}

export const appConfig = registerAs('app', () => toAppConfig(...readArea(AppVariables)));
export type AppConfig = ConfigType<typeof appConfig>;
