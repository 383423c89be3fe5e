import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SchemaRegistry } from '@samsa/schema';
import { STREAM_SCHEMA_REGISTRY, STREAM_STORE_OPTIONS } from './constants.js';
import type {
  StreamStoreModuleAsyncOptions,
  StreamStoreModuleOptions,
  StreamStoreOptionsFactory,
} from './interfaces/stream-store-options.interface.js';
import { KafkaConnections } from './kafka/kafka-connections.js';
import { resolveOptions, type ResolvedStreamStoreOptions } from './options/resolve-options.js';
import { TopicManager } from './publisher/topic-manager.js';
import { SchemaTopics } from './schema/schema-topics.js';
import { StoreRuntime } from './store/store-runtime.js';
import { StreamStoreServer } from './transport/stream-store.server.js';
import { DEFAULTS } from './defaults.js';
import { StreamMetrics } from './metrics/stream-metrics.js';
import { StreamHealth } from './health/stream-health.js';
import { Changelogs } from './changelog/changelogs.js';
import { PROCESSING_OBSERVER } from './transport/processing-observer.token.js';
import { PUBLISH_OBSERVER } from './publisher/publish-observer.js';
import { publisherProviders } from './publisher/publisher.providers.js';
import { adminProviders } from './admin/admin.providers.js';
import { StoreInputs } from './metadata/store-inputs.js';
import { StreamMetadata } from './metadata/stream-metadata.js';
import { SourceExplorer } from './sources/source-explorer.js';
import { StreamSources } from './sources/stream-sources.js';

const RAW_OPTIONS = Symbol('samsa:raw-options');

const coreProviders: Provider[] = [
  { provide: STREAM_STORE_OPTIONS, useFactory: resolveOptions, inject: [RAW_OPTIONS] },
  {
    provide: STREAM_SCHEMA_REGISTRY,
    useFactory: (options: ResolvedStreamStoreOptions) =>
      new SchemaRegistry().register(...(options.schemas ?? [])),
    inject: [STREAM_STORE_OPTIONS],
  },
  KafkaConnections,
  {
    provide: TopicManager,
    useFactory: (kafka: KafkaConnections, options: ResolvedStreamStoreOptions) =>
      new TopicManager(kafka.admin, {
        partitions: options.topics?.partitions ?? DEFAULTS.topicPartitions,
        replicationFactor: options.topics?.replicationFactor ?? DEFAULTS.topicReplicationFactor,
      }),
    inject: [KafkaConnections, STREAM_STORE_OPTIONS],
  },
  SchemaTopics,
  StoreRuntime,
  StreamStoreServer,
  StreamMetrics,
  StreamHealth,
  Changelogs,
  StoreInputs,
  StreamMetadata,
  SourceExplorer,
  StreamSources,
  { provide: PROCESSING_OBSERVER, useExisting: StreamMetrics },
  { provide: PUBLISH_OBSERVER, useExisting: StreamMetrics },
  ...publisherProviders,
  ...adminProviders,
];

// Everything the core provides is available to the application's modules.
const exported = coreProviders.map((provider) => ('provide' in provider ? provider.provide : provider));

/** Owns the Kafka clients, the store database and their shutdown; imported once through `forRoot`. */
@Global()
@Module({})
export class StreamStoreCoreModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly server: StreamStoreServer,
    private readonly kafka: KafkaConnections,
    @Inject(StoreRuntime) private readonly stores: StoreRuntime,
  ) {}

  static forRoot(options: StreamStoreModuleOptions): DynamicModule {
    return {
      module: StreamStoreCoreModule,
      // Discovery finds the application's @StreamSource methods.
      imports: [DiscoveryModule],
      providers: [{ provide: RAW_OPTIONS, useValue: options }, ...coreProviders],
      exports: exported,
    };
  }

  static forRootAsync(options: StreamStoreModuleAsyncOptions): DynamicModule {
    return {
      module: StreamStoreCoreModule,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [...this.asyncOptionsProviders(options), ...coreProviders],
      exports: exported,
    };
  }

  /** Opens the store database at startup (also for HTTP-only apps): a wrong URL or file fails here. */
  async onApplicationBootstrap(): Promise<void> {
    await this.stores.ledger();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.close();
    await this.kafka.close();
    await this.stores.close();
  }

  private static asyncOptionsProviders(options: StreamStoreModuleAsyncOptions): Provider[] {
    if (options.useFactory) {
      return [{ provide: RAW_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
    }
    const factoryClass = options.useClass ?? options.useExisting;
    if (!factoryClass) {
      throw new Error('StreamStoreModule.forRootAsync needs useFactory, useClass or useExisting.');
    }
    const factory: Provider = {
      provide: RAW_OPTIONS,
      useFactory: (optionsFactory: StreamStoreOptionsFactory) => optionsFactory.createStreamStoreOptions(),
      inject: [factoryClass],
    };
    return options.useClass
      ? [factory, { provide: options.useClass, useClass: options.useClass }]
      : [factory];
  }
}
