import { registerAs, type ConfigType } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { readArea, toBoolean, toInt } from './variables.js';

/** Account policy: whether an unverified email address may log in, and how much one account may hold. */
export class AccountVariables {
  @Transform(toBoolean)
  @IsBoolean()
  REQUIRE_EMAIL_VERIFICATION = false;

  /** Beyond it a new todo is refused (409): no single account grows a list without limit. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  TODOS_PER_USER_MAX = 10_000;

  /** Live sessions per account: a login beyond it ends the least recently used one. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  SESSIONS_PER_USER_MAX = 50;
}

export function toAccountConfig(v: AccountVariables) {
  return {
    requireEmailVerification: v.REQUIRE_EMAIL_VERIFICATION,
    todosPerUserMax: v.TODOS_PER_USER_MAX,
    sessionsPerUserMax: v.SESSIONS_PER_USER_MAX,
  };
}

export const accountConfig = registerAs('account', () => toAccountConfig(readArea(AccountVariables)[0]));
export type AccountConfig = ConfigType<typeof accountConfig>;
