import { Schema } from '@samsa/schema';
import { IsIn, IsString } from 'class-validator';

export const STATUSES = ['COMMISSIONED', 'CONNECTED', 'DISCONNECTED', 'DECOMMISSIONED'] as const;

/** The samsa seed's example: connection status events of deployments, keyed by deployment. */
@Schema('DeploymentStatus', { version: 1, streams: ['events.connection.status'] })
export class DeploymentStatus {
  @IsString() deployment!: string;
  @IsIn(STATUSES) status!: (typeof STATUSES)[number];
}

/** What the status handler reports when a deployment's status changes. */
@Schema('StatusChanged', { version: 1, streams: ['deployments.changed'] })
export class StatusChanged {
  @IsString() deployment!: string;
  @IsString() from!: string;
  @IsString() to!: string;
}
