import { IsIn, IsOptional } from 'class-validator';
import { readValidVariables, RuntimeVariables } from './variables.js';

const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The logger's variables. No `registerAs` here: the logger exists before Nest does (it logs a
 * refused configuration too), so it reads these through `loadLogSettings` rather than by injection.
 */
export class LoggingVariables {
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Unset: chosen by `logFormat` in common/logging.ts (pretty on a terminal outside production). */
  @IsOptional()
  @IsIn(LOG_FORMATS)
  LOG_FORMAT?: LogFormat;
}

export function toLoggingConfig(v: LoggingVariables) {
  return { level: v.LOG_LEVEL, format: v.LOG_FORMAT };
}

/**
 * What the logger needs, also from an environment that fails validation: a variable that is
 * invalid takes its default, so that the refusal itself is logged the way the operator asked.
 */
export function loadLogSettings(source: NodeJS.ProcessEnv = process.env) {
  const [runtime, logging] = readValidVariables([RuntimeVariables, LoggingVariables] as const, source);
  return { nodeEnv: runtime.NODE_ENV, ...toLoggingConfig(logging) };
}

export type LogSettings = ReturnType<typeof loadLogSettings>;
