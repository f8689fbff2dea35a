import { applyDecorators, type ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { clientIp } from '../common/client-ip.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { clientLimitKey, type RateLimitName } from './client-limits.js';
import { RateLimitedException } from './rate-limited.exception.js';

export type { RateLimitName } from './client-limits.js';
export const RATE_LIMIT_KEY = 'rate-limit:name';

/**
 * `@nestjs/throttler`'s guard, answering with our 429 and a plain `Retry-After`. A limit counts
 * per client, whichever of its routes is called: the library's default key also names the
 * handler, which would give each route that mails a budget of its own.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly securityEvents: SecurityEventsService,
  ) {
    super(options, storage, reflector);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return clientLimitKey(name, tracker);
  }

  /** One bucket per canonical address, and per /64 for IPv6 as the throttler groups them. */
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return normalizeIp(clientIp(request as unknown as FastifyRequest) ?? 'unknown', this.ipv6SubnetPrefix);
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    this.securityEvents.record('rate_limited', { limit: Reflect.getMetadata(RATE_LIMIT_KEY, context.getHandler()), ip: detail.tracker });
    throw new RateLimitedException(Math.max(1, detail.timeToBlockExpire));
  }
}

/** Counts this operation against the named per-client-IP limits (its routes also need the database: 503 while it is away). */
export const RateLimit = (...names: RateLimitName[]) =>
  applyDecorators(SetMetadata(RATE_LIMIT_KEY, names), UseGuards(RateLimitGuard), ApiProblems(429, 503));

/** Each named throttler applies only to the operations marked with its name. */
export const onlyFor = (name: RateLimitName) => (context: ExecutionContext) =>
  !((Reflect.getMetadata(RATE_LIMIT_KEY, context.getHandler()) as RateLimitName[] | undefined) ?? []).includes(name);
