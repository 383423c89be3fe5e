import { Controller, Get, Header } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { StreamMetrics } from '@samsa/stream-store';
import { StreamStoreHealthIndicator } from '@samsa/stream-store/terminus';

/** `/health` (@nestjs/terminus) and `/metrics` (Prometheus text format). */
@Controller()
export class OpsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly samsa: StreamStoreHealthIndicator,
    private readonly metrics: StreamMetrics,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.samsa.isHealthy('samsa')]);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
