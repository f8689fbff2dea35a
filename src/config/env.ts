import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsUrl,
  Matches,
  IsString,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';
import ms from 'ms';

const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value);

export interface PasswordHashCost {
  memoryKib: number;
  passes: number;
}

/** OWASP's first argon2id configuration: 19 MiB, two passes. */
export const DEFAULT_PASSWORD_HASH_COST: PasswordHashCost = { memoryKib: 19_456, passes: 2 };

/** The environment as the operator writes it; see the table in docs/configuration.md. */
class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  @Transform(toBoolean)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  @IsOptional()
  @IsString()
  JWT_SECRET?: string;

  @IsOptional()
  @IsString()
  JWT_PRIVATE_KEY?: string;

  @IsOptional()
  @IsString()
  JWT_PUBLIC_KEY?: string;

  @IsOptional()
  @IsString()
  JWT_ROTATED_PUBLIC_KEYS?: string;

  @IsIn(['RS256', 'PS256'])
  JWT_RSA_ALGORITHM = 'RS256';

  @IsString()
  @MinLength(1)
  JWT_ISSUER = 'nest-auth-todos';

  @IsString()
  @MinLength(1)
  JWT_AUDIENCE = 'nest-auth-todos-api';

  @IsString()
  ACCESS_TOKEN_TTL = '15m';

  @IsString()
  REFRESH_TOKEN_TTL = '14d';

  // Long enough for a client to retry a refresh whose answer was lost (a timeout, a dropped
  // connection), short enough that a replayed stolen token is still caught soon after.
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300)
  REFRESH_TOKEN_REUSE_GRACE_SECONDS = 30;

  @IsOptional()
  @IsEmail()
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  ADMIN_PASSWORD?: string;

  @IsString()
  TRUST_PROXY = 'false';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  PASSWORD_HASH_CONCURRENCY?: number;

  @Transform(toInt)
  @IsInt()
  @Min(8)
  @Max(64)
  PASSWORD_MIN_LENGTH = 8;

  /** argon2id's memory in KiB, and its passes; production takes OWASP's configurations only (`ARGON2_MINIMUMS`). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(1_048_576)
  PASSWORD_HASH_MEMORY_KIB = DEFAULT_PASSWORD_HASH_COST.memoryKib;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  PASSWORD_HASH_PASSES = DEFAULT_PASSWORD_HASH_COST.passes;

  /** Read by libuv itself when the process starts; the app only needs to know it. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024)
  UV_THREADPOOL_SIZE?: number;

  @IsOptional()
  @IsString()
  REDIS_URL?: string;

  @IsString()
  REDIS_KEY_PREFIX = 'auth-todos:';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_PER_MINUTE = 30;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_FAILURES = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_REGISTER_PER_HOUR = 30;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_REFRESH_PER_MINUTE = 60;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_MAIL_PER_HOUR = 20;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_MAIL_PER_ACCOUNT = 5;

  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  @MinLength(3)
  MAIL_FROM = 'Auth & Todos <no-reply@localhost>';

  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'PUBLIC_URL must be an http(s) URL' })
  PUBLIC_URL = 'http://localhost:3000';

  @Transform(toBoolean)
  @IsBoolean()
  REQUIRE_EMAIL_VERIFICATION = false;

  @IsString()
  CORS_ORIGINS = '';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Unset: chosen by `logFormat` in common/logging.ts (pretty on a terminal outside production). */
  @IsOptional()
  @IsIn(['pretty', 'json'])
  LOG_FORMAT?: string;

  @Transform(toBoolean)
  @IsBoolean()
  SWAGGER_ENABLED = true;

  @IsString()
  SHUTDOWN_TIMEOUT = '10s';

  @IsString()
  HTTP_HEADERS_TIMEOUT = '10s';

  @IsString()
  HTTP_REQUEST_TIMEOUT = '30s';

  @IsString()
  HTTP_KEEP_ALIVE_TIMEOUT = '72s';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'METRICS_TOKEN must be at least 32 characters' })
  METRICS_TOKEN?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  @IsString()
  METRICS_HOST = '127.0.0.1';
}

export type LogFormat = 'pretty' | 'json';

export interface Env {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  migrationsRun: boolean;
  jwtSecret?: string;
  jwtPrivateKey?: string;
  jwtPublicKey?: string;
  jwtRotatedPublicKeys?: string;
  jwtRsaAlgorithm: 'RS256' | 'PS256';
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshReuseGraceSeconds: number;
  adminEmail?: string;
  adminPassword?: string;
  /** The fewest characters (code points, after NFKC) a new password may have. */
  passwordMinLength: number;
  /** At most this many argon2 computations at once; the others wait their turn. */
  passwordHashConcurrency: number;
  passwordHashCost: PasswordHashCost;
  /** Threads in libuv's pool (`UV_THREADPOOL_SIZE`, libuv's default 4), where the hashes run. */
  threadPoolSize: number;
  /** Fastify's `trustProxy`: off, a number of proxy hops, or the proxies' addresses and CIDRs. */
  trustProxy: false | number | string;
  redisUrl?: string;
  redisKeyPrefix: string;
  rateLimits: {
    loginPerMinute: number;
    loginFailures: number;
    registerPerHour: number;
    refreshPerMinute: number;
    mailPerHour: number;
    mailPerAccount: number;
  };
  /** Unset: messages are written as `.eml` files under `DATA_DIR/outbox`. */
  smtpUrl?: string;
  mailFrom: string;
  /** Without a trailing slash. */
  publicUrl: string;
  requireEmailVerification: boolean;
  corsOrigins: string[];
  logLevel: string;
  /** As given; unset, the format depends on where stdout goes (see common/logging.ts). */
  logFormat?: LogFormat;
  swaggerEnabled: boolean;
  /** How long a SIGTERM waits for in-flight requests before the process gives up and exits 1. */
  shutdownTimeoutMs: number;
  /**
   * Slow or idle clients: a request's headers, then the whole request, must arrive within these
   * from its first byte (or the connection's start); a kept-alive connection idle this long is closed.
   */
  httpTimeouts: { headersMs: number; requestMs: number; keepAliveMs: number };
  /** `/metrics` on the API port behind this bearer token, and/or on a port of its own (behind the token too unless on loopback). */
  metrics: { token?: string; port?: number; host: string };
}

const ACCESS_TTL_RANGE_SECONDS = [15 * 60, 60 * 60] as const;
/** Outside production a token may expire within a minute, so the refresh flow can be tried by hand. */
const ACCESS_TTL_RANGE_SECONDS_OUTSIDE_PRODUCTION = [30, 60 * 60] as const;
const REFRESH_TTL_RANGE_SECONDS = [7 * 86_400, 30 * 86_400] as const;

function durationMs(name: string, value: string): number {
  const millis = ms(value as ms.StringValue);
  if (typeof millis !== 'number' || !Number.isFinite(millis) || millis < 0) {
    throw new Error(`${name} must be a duration such as "15m" or "1h", got "${value}"`);
  }
  return millis;
}

/** At least a second: with less, every shutdown would cut requests off and exit 1. */
function shutdownTimeout(value: string): number {
  const millis = durationMs('SHUTDOWN_TIMEOUT', value);
  if (millis < 1_000) throw new Error(`SHUTDOWN_TIMEOUT must be at least 1s, got "${value}"`);
  return millis;
}

/** None can be off: a client that sends nothing, or too little, would hold its connection for ever. */
function httpTimeouts(raw: EnvironmentVariables): Env['httpTimeouts'] {
  const positive = (name: string, value: string) => {
    const millis = Math.round(durationMs(name, value));
    if (millis <= 0) throw new Error(`${name} must be more than 0, got "${value}"`);
    return millis;
  };
  const headersMs = positive('HTTP_HEADERS_TIMEOUT', raw.HTTP_HEADERS_TIMEOUT);
  const requestMs = positive('HTTP_REQUEST_TIMEOUT', raw.HTTP_REQUEST_TIMEOUT);
  if (headersMs > requestMs) {
    throw new Error(
      `HTTP_HEADERS_TIMEOUT ("${raw.HTTP_HEADERS_TIMEOUT}") cannot exceed HTTP_REQUEST_TIMEOUT ("${raw.HTTP_REQUEST_TIMEOUT}"): the headers are part of the request`,
    );
  }
  return { headersMs, requestMs, keepAliveMs: positive('HTTP_KEEP_ALIVE_TIMEOUT', raw.HTTP_KEEP_ALIVE_TIMEOUT) };
}

function durationSeconds(name: string, value: string, [min, max]: readonly [number, number]): number {
  const seconds = Math.round(durationMs(name, value) / 1000);
  if (seconds < min || seconds > max) {
    throw new Error(`${name} must be between ${ms(min * 1000)} and ${ms(max * 1000)}, got "${value}"`);
  }
  return seconds;
}

/**
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

/** Variables whose value an error message must never repeat, whatever their check says. */
const SECRET_NAME = /(SECRET|PASSWORD|TOKEN|_KEY|_KEYS)$/;

/** The password of a URL's user info blanked out, even in a URL too broken to parse. */
function withoutPassword(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? '';
  const userInfo = value.slice(scheme.length, at);
  const user = userInfo.includes(':') ? `${userInfo.slice(0, userInfo.indexOf(':'))}:` : '';
  return `${scheme}${user}***${value.slice(at)}`;
}

/**
 * One line of a start-up error, which operators read in shared logs: a secret's value never
 * appears, a URL's only without its password, even should a check's message carry `$value`.
 */
function refusal(name: string, value: unknown, message: string): string {
  if (typeof value !== 'string') return `${message} (got ${JSON.stringify(value)})`;
  if (SECRET_NAME.test(name)) return `${message.replaceAll(value, '***')} (value hidden)`;
  if (name.endsWith('_URL')) {
    const shown = withoutPassword(value);
    return `${message.replaceAll(value, shown)} (got ${JSON.stringify(shown)})`;
  }
  return `${message} (got ${JSON.stringify(value)})`;
}

/** Whether only this machine can reach `host`: a name or address that is not loopback could be anyone's. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

let dotEnvRead = false;

/** Reads `.env` when present (real environment variables win), once per process. */
function loadDotEnv(): void {
  if (!dotEnvRead && existsSync('.env')) process.loadEnvFile('.env');
  dotEnvRead = true;
}

let last: { source: string; env: Env } | undefined;

/**
 * Validates the environment and returns it typed. This is the only place in the project that
 * reads `process.env`; everything else receives the result through Nest's config namespaces.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  if (source === process.env) loadDotEnv();
  // Start-up asks several times (each config namespace); parse again only when the input changed.
  const snapshot = JSON.stringify(source);
  if (last?.source === snapshot) return last.env;
  last = { source: snapshot, env: parseEnv(source) };
  return last.env;
}

/** The size of libuv's thread pool when `UV_THREADPOOL_SIZE` is not set. */
const LIBUV_DEFAULT_THREADS = 4;

function validated(source: NodeJS.ProcessEnv): { raw: EnvironmentVariables; errors: ValidationError[] } {
  // An empty variable means "unset": it takes the default rather than failing or turning a flag off.
  const given = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const raw = plainToInstance(EnvironmentVariables, given, { exposeDefaultValues: true });
  return { raw, errors: validateSync(raw, { whitelist: true }) };
}

export interface LogSettings {
  nodeEnv: string;
  level: string;
  format?: LogFormat;
}

/**
 * What the logger needs, also from an environment that fails validation: a variable that is
 * invalid takes its default, so that the refusal itself is logged the way the operator asked.
 */
export function loadLogSettings(source: NodeJS.ProcessEnv = process.env): LogSettings {
  if (source === process.env) loadDotEnv();
  const { raw, errors } = validated(source);
  const invalid = new Set(errors.map((e) => e.property));
  const defaults = new EnvironmentVariables();
  const value = <K extends 'NODE_ENV' | 'LOG_LEVEL' | 'LOG_FORMAT'>(name: K) => (invalid.has(name) ? defaults[name] : raw[name]);
  return { nodeEnv: value('NODE_ENV'), level: value('LOG_LEVEL'), format: value('LOG_FORMAT') as LogFormat | undefined };
}

/**
 * OWASP's argon2id configurations (Password Storage Cheat Sheet), each as strong as the others:
 * a hash cost in production must reach one of them. Outside production a cheaper one is allowed,
 * which the test suite uses, since hashing would otherwise be half of its CPU time.
 */
export const ARGON2_MINIMUMS: readonly PasswordHashCost[] = [
  { memoryKib: 47_104, passes: 1 },
  { memoryKib: 19_456, passes: 2 },
  { memoryKib: 12_288, passes: 3 },
  { memoryKib: 9_216, passes: 4 },
  { memoryKib: 7_168, passes: 5 },
];

export function meetsArgon2Minimum(cost: PasswordHashCost): boolean {
  return ARGON2_MINIMUMS.some((minimum) => cost.memoryKib >= minimum.memoryKib && cost.passes >= minimum.passes);
}

function passwordHashCost(raw: EnvironmentVariables): PasswordHashCost {
  const cost = { memoryKib: raw.PASSWORD_HASH_MEMORY_KIB, passes: raw.PASSWORD_HASH_PASSES };
  if (raw.NODE_ENV === 'production' && !meetsArgon2Minimum(cost)) {
    const options = ARGON2_MINIMUMS.map((m) => `${m.memoryKib}/${m.passes}`).join(', ');
    throw new Error(
      `PASSWORD_HASH_MEMORY_KIB=${cost.memoryKib} with PASSWORD_HASH_PASSES=${cost.passes} is weaker than OWASP's argon2id configurations ` +
        `(KiB/passes: ${options}), which production requires: unset both for 19456/2.`,
    );
  }
  return cost;
}

function parseEnv(source: NodeJS.ProcessEnv): Env {
  const { raw, errors } = validated(source);
  if (errors.length > 0) {
    // One line per variable, every expectation it failed in it: a person fixes one value at a time.
    const lines = errors.map((e) => {
      const expected = Object.values(e.constraints ?? {})
        .reverse()
        .map((message) => (message.startsWith(`${e.property} `) ? message.slice(e.property.length + 1) : message));
      return `  - ${refusal(e.property, e.value, `${e.property} ${expected.join(', ')}`)}`;
    });
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (raw.NODE_ENV === 'production' && !raw.DATABASE_URL) {
    throw new Error('DATABASE_URL is required when NODE_ENV=production: the embedded database is for development and tests only.');
  }
  const threadPoolSize = raw.UV_THREADPOOL_SIZE ?? LIBUV_DEFAULT_THREADS;
  if (raw.PASSWORD_HASH_CONCURRENCY !== undefined && raw.PASSWORD_HASH_CONCURRENCY > threadPoolSize) {
    throw new Error(
      `PASSWORD_HASH_CONCURRENCY=${raw.PASSWORD_HASH_CONCURRENCY} needs as many threads in libuv's pool, which has ${threadPoolSize}: ` +
        `set UV_THREADPOOL_SIZE to at least ${raw.PASSWORD_HASH_CONCURRENCY} (npm run start:prod and the Docker image set it to the CPU count).`,
    );
  }
  if (Boolean(raw.ADMIN_EMAIL) !== Boolean(raw.ADMIN_PASSWORD)) {
    throw new Error('ADMIN_EMAIL and ADMIN_PASSWORD go together: set both or neither.');
  }
  if (raw.METRICS_PORT !== undefined && !raw.METRICS_TOKEN && !isLoopbackHost(raw.METRICS_HOST)) {
    throw new Error(
      `METRICS_HOST=${raw.METRICS_HOST} is reachable from other machines: set METRICS_TOKEN (32+ characters), which the metrics listener then asks for, or bind it to 127.0.0.1.`,
    );
  }
  return {
    nodeEnv: raw.NODE_ENV as Env['nodeEnv'],
    port: raw.PORT,
    host: raw.HOST,
    databaseUrl: raw.DATABASE_URL,
    dataDir: raw.DATA_DIR,
    migrationsRun: raw.MIGRATIONS_RUN,
    jwtSecret: raw.JWT_SECRET,
    jwtPrivateKey: raw.JWT_PRIVATE_KEY,
    jwtPublicKey: raw.JWT_PUBLIC_KEY,
    jwtRotatedPublicKeys: raw.JWT_ROTATED_PUBLIC_KEYS,
    jwtRsaAlgorithm: raw.JWT_RSA_ALGORITHM as Env['jwtRsaAlgorithm'],
    jwtIssuer: raw.JWT_ISSUER,
    jwtAudience: raw.JWT_AUDIENCE,
    accessTokenTtlSeconds: durationSeconds(
      'ACCESS_TOKEN_TTL',
      raw.ACCESS_TOKEN_TTL,
      raw.NODE_ENV === 'production' ? ACCESS_TTL_RANGE_SECONDS : ACCESS_TTL_RANGE_SECONDS_OUTSIDE_PRODUCTION,
    ),
    refreshTokenTtlSeconds: durationSeconds('REFRESH_TOKEN_TTL', raw.REFRESH_TOKEN_TTL, REFRESH_TTL_RANGE_SECONDS),
    refreshReuseGraceSeconds: raw.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
    adminEmail: raw.ADMIN_EMAIL,
    adminPassword: raw.ADMIN_PASSWORD,
    passwordMinLength: raw.PASSWORD_MIN_LENGTH,
    passwordHashConcurrency: raw.PASSWORD_HASH_CONCURRENCY ?? Math.min(availableParallelism(), threadPoolSize),
    passwordHashCost: passwordHashCost(raw),
    threadPoolSize,
    trustProxy: parseTrustProxy(raw.TRUST_PROXY),
    redisUrl: raw.REDIS_URL,
    redisKeyPrefix: raw.REDIS_KEY_PREFIX,
    rateLimits: {
      loginPerMinute: raw.RATE_LIMIT_LOGIN_PER_MINUTE,
      loginFailures: raw.RATE_LIMIT_LOGIN_FAILURES,
      registerPerHour: raw.RATE_LIMIT_REGISTER_PER_HOUR,
      refreshPerMinute: raw.RATE_LIMIT_REFRESH_PER_MINUTE,
      mailPerHour: raw.RATE_LIMIT_MAIL_PER_HOUR,
      mailPerAccount: raw.RATE_LIMIT_MAIL_PER_ACCOUNT,
    },
    smtpUrl: raw.SMTP_URL,
    mailFrom: raw.MAIL_FROM,
    publicUrl: raw.PUBLIC_URL.replace(/\/+$/, ''),
    requireEmailVerification: raw.REQUIRE_EMAIL_VERIFICATION,
    corsOrigins: raw.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    logLevel: raw.LOG_LEVEL,
    logFormat: raw.LOG_FORMAT as LogFormat | undefined,
    swaggerEnabled: raw.SWAGGER_ENABLED,
    shutdownTimeoutMs: shutdownTimeout(raw.SHUTDOWN_TIMEOUT),
    httpTimeouts: httpTimeouts(raw),
    metrics: { token: raw.METRICS_TOKEN, port: raw.METRICS_PORT, host: raw.METRICS_HOST },
  };
}
