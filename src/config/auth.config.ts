import { registerAs, type ConfigType } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import ms from 'ms';
import { loadSigningKeys, type SigningSettings } from './signing-keys.js';
import { durationMs, readArea, type Runtime, toInt } from './variables.js';

const RSA_ALGORITHMS = ['RS256', 'PS256'] as const;

/** Tokens (their keys, claims and lifetimes) and the admin account created at start-up. */
export class AuthVariables {
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

  @IsIn(RSA_ALGORITHMS)
  JWT_RSA_ALGORITHM: (typeof RSA_ALGORITHMS)[number] = 'RS256';

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
}

const ACCESS_TTL_RANGE_SECONDS = [15 * 60, 60 * 60] as const;
/** Outside production a token may expire within a minute, so the refresh flow can be tried by hand. */
const ACCESS_TTL_RANGE_SECONDS_OUTSIDE_PRODUCTION = [30, 60 * 60] as const;
const REFRESH_TTL_RANGE_SECONDS = [7 * 86_400, 30 * 86_400] as const;

function durationSeconds(name: string, value: string, [min, max]: readonly [number, number]): number {
  const seconds = Math.round(durationMs(name, value) / 1000);
  if (seconds < min || seconds > max) {
    throw new Error(`${name} must be between ${ms(min * 1000)} and ${ms(max * 1000)}, got "${value}"`);
  }
  return seconds;
}

/** Everything but the keys themselves, which `authConfig` builds from `signing`. */
export function toAuthSettings(v: AuthVariables, runtime: Runtime) {
  if (Boolean(v.ADMIN_EMAIL) !== Boolean(v.ADMIN_PASSWORD)) {
    throw new Error('ADMIN_EMAIL and ADMIN_PASSWORD go together: set both or neither.');
  }
  const production = runtime.nodeEnv === 'production';
  return {
    signing: {
      secret: v.JWT_SECRET,
      privateKey: v.JWT_PRIVATE_KEY,
      publicKey: v.JWT_PUBLIC_KEY,
      rotatedPublicKeys: v.JWT_ROTATED_PUBLIC_KEYS,
      rsaAlgorithm: v.JWT_RSA_ALGORITHM,
    } satisfies SigningSettings,
    issuer: v.JWT_ISSUER,
    audience: v.JWT_AUDIENCE,
    accessTokenTtlSeconds: durationSeconds(
      'ACCESS_TOKEN_TTL',
      v.ACCESS_TOKEN_TTL,
      production ? ACCESS_TTL_RANGE_SECONDS : ACCESS_TTL_RANGE_SECONDS_OUTSIDE_PRODUCTION,
    ),
    refreshTokenTtlSeconds: durationSeconds('REFRESH_TOKEN_TTL', v.REFRESH_TOKEN_TTL, REFRESH_TTL_RANGE_SECONDS),
    refreshReuseGraceSeconds: v.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
    adminEmail: v.ADMIN_EMAIL,
    adminPassword: v.ADMIN_PASSWORD,
  };
}

/**
 * The one place the signing keys are parsed (and the development secret generated): a bad key
 * stops Nest from starting. The raw key material stays here; consumers get the parsed keys.
 */
export const authConfig = registerAs('auth', () => {
  const [variables, runtime] = readArea(AuthVariables);
  const { signing, ...settings } = toAuthSettings(variables, runtime);
  return { ...settings, keys: loadSigningKeys(signing, runtime) };
});
export type AuthConfig = ConfigType<typeof authConfig>;
