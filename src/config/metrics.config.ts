import { registerAs, type ConfigType } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { readArea, toInt } from './variables.js';

/** `/metrics` on the API port behind this bearer token, and/or on a port of its own (behind the token too unless on loopback). */
export class MetricsVariables {
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

/** Whether only this machine can reach `host`: a name or address that is not loopback could be anyone's. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function toMetricsConfig(v: MetricsVariables) {
  if (v.METRICS_PORT !== undefined && !v.METRICS_TOKEN && !isLoopbackHost(v.METRICS_HOST)) {
    throw new Error(
      `METRICS_HOST=${v.METRICS_HOST} is reachable from other machines: set METRICS_TOKEN (32+ characters), which the metrics listener then asks for, or bind it to 127.0.0.1.`,
    );
  }
  return { token: v.METRICS_TOKEN, port: v.METRICS_PORT, host: v.METRICS_HOST };
}

export const metricsConfig = registerAs('metrics', () => toMetricsConfig(readArea(MetricsVariables)[0]));
export type MetricsConfig = ConfigType<typeof metricsConfig>;
