import { Controller, Get, Logger, NotFoundException, Param } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { InjectStore, StreamHandler, type StateStore } from '@samsa/stream-store';
import { DemoProgress } from '../demo-progress.js';
import { DeploymentStatus, StatusChanged } from './deployment-status.message.js';

/**
 * State per key: the last status of each deployment lives in the `deployment_status` store;
 * a change is returned, and so published to the `deployments.changed` sink. The HTTP endpoints
 * read the same store (interactive queries).
 */
@Controller('deployments')
export class DeploymentStatusController {
  private readonly logger = new Logger('Deployments');

  constructor(
    @InjectStore('deployment_status') private readonly statuses: StateStore<string>,
    private readonly progress: DemoProgress,
  ) {}

  @StreamHandler('events.connection.status', { sink: 'deployments.changed' })
  async onStatus(@Payload() event: DeploymentStatus): Promise<StatusChanged | undefined> {
    const previous = await this.statuses.get(event.deployment);
    await this.statuses.set(event.deployment, event.status);
    this.progress.count('statuses');
    if (previous === undefined || previous === event.status) return undefined;
    return Object.assign(new StatusChanged(), {
      deployment: event.deployment,
      from: previous,
      to: event.status,
    });
  }

  @StreamHandler('deployments.changed')
  onChange(@Payload() change: StatusChanged) {
    this.logger.log(`Status of ${change.deployment} changed from ${change.from} to ${change.to}`);
    this.progress.count('changes');
  }

  @Get()
  async all(): Promise<Record<string, string>> {
    const statuses: Record<string, string> = {};
    for await (const [deployment, status] of this.statuses.entries()) statuses[deployment] = status;
    return statuses;
  }

  @Get(':deployment')
  async one(@Param('deployment') deployment: string): Promise<{ deployment: string; status: string }> {
    const status = await this.statuses.get(deployment);
    if (status === undefined) throw new NotFoundException(`No status for ${deployment} yet`);
    return { deployment, status };
  }
}
