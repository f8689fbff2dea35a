import { join } from 'node:path';
import { registerAs, type ConfigType } from '@nestjs/config';
import { IsString, IsOptional, IsUrl, Matches, MinLength } from 'class-validator';
import { readArea, type Runtime } from './variables.js';

/** How mail leaves, who sends it, and the address its links point at. */
export class MailVariables {
  /** Unset: messages are written as `.eml` files under `DATA_DIR/outbox`. */
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  @MinLength(3)
  MAIL_FROM = 'Auth & Todos <no-reply@localhost>';

  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'PUBLIC_URL must be an http(s) URL' })
  PUBLIC_URL = 'http://localhost:3000';
}

export function toMailConfig(v: MailVariables, runtime: Runtime) {
  return {
    smtpUrl: v.SMTP_URL,
    from: v.MAIL_FROM,
    /** Without a trailing slash. */
    publicUrl: v.PUBLIC_URL.replace(/\/+$/, ''),
    outboxDir: join(runtime.dataDir, 'outbox'),
  };
}

export const mailConfig = registerAs('mail', () => toMailConfig(...readArea(MailVariables)));
export type MailConfig = ConfigType<typeof mailConfig>;
