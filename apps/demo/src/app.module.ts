import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StreamStoreModule } from '@samsa/stream-store';
import { StreamStoreHealthIndicator } from '@samsa/stream-store/terminus';
import { ContentController } from './content/content.controller.js';
import { ContentMessage } from './content/content.message.js';
import { DemoProgress } from './demo-progress.js';
import { DeploymentStatusController } from './deployments/deployment-status.controller.js';
import { DeploymentStatus, StatusChanged } from './deployments/deployment-status.message.js';
import { OpsController } from './ops/ops.controller.js';
import { TextSource } from './pipeline/text-source.js';
import { WordCountController } from './pipeline/word-count.controller.js';
import { Word, WordCounted } from './pipeline/word.message.js';

export interface DemoSettings {
  brokers: string;
  topicPrefix: string;
  database: string;
}

@Module({})
export class AppModule {
  static register({ brokers, topicPrefix, database }: DemoSettings) {
    return {
      module: AppModule,
      imports: [
        StreamStoreModule.forRoot({
          brokers,
          clientId: 'samsa-demo',
          topicPrefix,
          store: { type: 'sqlite', database },
          schemas: [ContentMessage, DeploymentStatus, StatusChanged, Word, WordCounted],
          topics: { partitions: 3 },
          subscriptionRefreshMs: 5_000,
        }),
        StreamStoreModule.forFeature(['deployment_status', 'word_counts']),
        TerminusModule,
      ],
      controllers: [ContentController, DeploymentStatusController, WordCountController, OpsController],
      providers: [DemoProgress, StreamStoreHealthIndicator, TextSource],
    };
  }
}
