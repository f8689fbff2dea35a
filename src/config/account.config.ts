import { registerAs, type ConfigType } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean } from 'class-validator';
import { readArea, toBoolean } from './variables.js';

/** Account policy: whether an unverified email address may log in. */
export class AccountVariables {
  @Transform(toBoolean)
  @IsBoolean()
  REQUIRE_EMAIL_VERIFICATION = false;
}

export function toAccountConfig(v: AccountVariables) {
  return { requireEmailVerification: v.REQUIRE_EMAIL_VERIFICATION };
}

export const accountConfig = registerAs('account', () => toAccountConfig(readArea(AccountVariables)[0]));
export type AccountConfig = ConfigType<typeof accountConfig>;
