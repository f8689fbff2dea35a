import { registerAs, type ConfigType } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { readArea, toInt } from './variables.js';

/** Per-client and per-account limits, counted in Redis when `REDIS_URL` is set, in memory otherwise. */
export class RateLimitVariables {
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
}

export function toRateLimitConfig(v: RateLimitVariables) {
  return {
    redisUrl: v.REDIS_URL,
    keyPrefix: v.REDIS_KEY_PREFIX,
    loginPerMinute: v.RATE_LIMIT_LOGIN_PER_MINUTE,
    loginFailures: v.RATE_LIMIT_LOGIN_FAILURES,
    registerPerHour: v.RATE_LIMIT_REGISTER_PER_HOUR,
    refreshPerMinute: v.RATE_LIMIT_REFRESH_PER_MINUTE,
    mailPerHour: v.RATE_LIMIT_MAIL_PER_HOUR,
    mailPerAccount: v.RATE_LIMIT_MAIL_PER_ACCOUNT,
  };
}

export const rateLimitConfig = registerAs('rateLimit', () => toRateLimitConfig(readArea(RateLimitVariables)[0]));
export type RateLimitConfig = ConfigType<typeof rateLimitConfig>;
