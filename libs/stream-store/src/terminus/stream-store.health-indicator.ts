import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { StreamHealth } from '../health/stream-health.js';

/**
 * A @nestjs/terminus indicator for samsa:
 * `health.check([() => indicator.isHealthy('samsa')])` in your health controller.
 */
@Injectable()
export class StreamStoreHealthIndicator {
  constructor(
    private readonly health: StreamHealth,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isHealthy<Key extends string = 'samsa'>(key: Key = 'samsa' as Key) {
    const indicator = this.indicators.check(key);
    const report = await this.health.check();
    const details = {
      samsaStatus: report.status,
      problems: report.problems,
      degraded: report.degraded,
      producer: report.producer,
      store: report.store,
      restoring: report.restoring,
      handlers: report.handlers.map(({ handler, state, group, assigned }) => ({
        handler,
        state,
        group,
        partitions: assigned.length,
      })),
    };
    return report.healthy ? indicator.up(details) : indicator.down(details);
  }
}
