import { Logger } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';

/**
 * The readiness probe's findings for the operator: one line when a check goes down (with the
 * reason the public answer leaves out) and one when it comes back. A load balancer probes every
 * few seconds, so a line per failed probe would bury everything else during an outage.
 */
export class ReadinessLog {
  private readonly logger = new Logger('Readiness');
  /** By check; a check not seen yet counts as up, so a first failure is logged. */
  private readonly states = new Map<string, string>();

  record(details: HealthIndicatorResult): void {
    for (const [check, { status, ...detail }] of Object.entries(details)) {
      if ((this.states.get(check) ?? 'up') === status) continue;
      this.states.set(check, status);
      const line = { event: 'readiness_changed', check, status, ...detail };
      if (status === 'up') this.logger.log(line, 'readiness_changed');
      else this.logger.warn(line, 'readiness_changed');
    }
  }
}
