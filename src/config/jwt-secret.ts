import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Runtime } from './variables.js';

const MIN_SECRET_BYTES = 32;

/** Values that appear in tutorials, templates and our own `.env.example`. */
const WELL_KNOWN_SECRETS = new Set(
  [
    'secret',
    'changeme',
    'change-me',
    'change_me',
    'changethis',
    'password',
    'mypassword',
    'jwt-secret',
    'jwt_secret',
    'jwtsecret',
    'your-secret-key',
    'your_secret_key',
    'yoursecretkey',
    'your-256-bit-secret',
    'supersecret',
    'super-secret',
    'secretkey',
    'secret-key',
    'replace-me-with-at-least-32-random-bytes-in-base64url',
  ].map((s) => s.toLowerCase()),
);

const HOW_TO_GENERATE = "generate one with: node -e \"console.log(require('node:crypto').randomBytes(48).toString('base64url'))\"";

export function assertStrongSecret(secret: string, variable = 'JWT_SECRET'): void {
  const normalised = secret.trim().toLowerCase();
  if (WELL_KNOWN_SECRETS.has(normalised) || /^(.)\1*$/u.test(secret)) {
    throw new Error(`${variable} is a well-known or trivial value; ${HOW_TO_GENERATE}`);
  }
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new Error(`${variable} must be at least ${MIN_SECRET_BYTES} bytes; ${HOW_TO_GENERATE}`);
  }
}

/**
 * The HS256 key: `JWT_SECRET` when set (checked for strength), otherwise outside production a
 * random key generated once into `DATA_DIR/jwt-secret` and reused, so tokens survive restarts.
 */
export function resolveJwtSecret(jwtSecret: string | undefined, runtime: Runtime): string {
  return resolveSecret('JWT_SECRET', 'jwt-secret', jwtSecret, runtime);
}

/**
 * A key the operator sets as `variable` (checked for strength), required in production; outside
 * production a random one generated once into `DATA_DIR/<fileName>` and reused across restarts.
 */
export function resolveSecret(variable: string, fileName: string, value: string | undefined, { nodeEnv, dataDir }: Runtime): string {
  if (value !== undefined) {
    assertStrongSecret(value, variable);
    return value;
  }
  if (nodeEnv === 'production') {
    throw new Error(`${variable} is required when NODE_ENV=production; ${HOW_TO_GENERATE}`);
  }
  const file = join(dataDir, fileName);
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, randomBytes(48).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = readFileSync(file, 'utf8').trim();
  assertStrongSecret(secret, variable);
  return secret;
}
