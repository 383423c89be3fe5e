import type { ModuleMetadata, Type } from '@nestjs/common';
import type { KafkaConfig } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { KafkaClient, ProducerCompression } from '../kafka/kafka-client.interface.js';
import type { RetryOptions } from './retry-options.interface.js';

/** Where state stores live. */
export type StoreConnectionOptions =
  | {
      type: 'sqlite';
      /** Path of the SQLite file. Default `state.sqlite` in the working directory. */
      database?: string;
    }
  | {
      type: 'postgres';
      /** Connection URL, e.g. `postgres://user@host:5432/db`. */
      url: string;
      /** Schema holding samsa's tables. Default `public`. */
      schema?: string;
    }
  | {
      /** Reuse an application's existing TypeORM DataSource (e.g. from `@nestjs/typeorm`). */
      dataSource: DataSource;
    };

export interface StreamStoreModuleOptions {
  /** Kafka bootstrap servers, `host:port` (an array, or one comma-separated string). Required. */
  brokers: string[] | string;
  /** Client id sent to Kafka. Default `samsa`. */
  clientId?: string;
  /**
   * Application id: derives default consumer groups and changelog topic names. Keep it stable
   * across deployments. Default: the `clientId`.
   */
  appId?: string;
  /**
   * This instance's URL for interactive queries (e.g. `http://10.0.0.7:3000`), advertised to the
   * other members of each handler's consumer group; `StreamMetadata.ownerOf()` and
   * `KeyNotOwnedError` name it as the owner of its partitions' keys. Default: none advertised.
   */
  advertisedUrl?: string;
  /** Prefix prepended to every topic samsa reads or writes (user topics, DLQs, schemas, changelogs). Default `''`. */
  topicPrefix?: string;
  /** Any other KafkaJS client setting (ssl, sasl, timeouts, retry...), passed through unchanged. */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
  /** Consumer settings applied to every handler's consumer (KafkaJS `ConsumerConfig` keys). */
  consumer?: Record<string, unknown>;
  /** Producer settings (KafkaJS `ProducerConfig` keys). Idempotent with acks=all unless changed. */
  producer?: Record<string, unknown> & {
    idempotent?: boolean;
    acks?: -1 | 0 | 1;
    /** Codec of samsa's produced batches: 'none' (default), 'gzip', 'snappy', 'lz4', 'zstd'. Consumers read all of them. */
    compression?: ProducerCompression;
  };
  /** Plug in another Kafka client; defaults to KafkaJS built from the options above. */
  client?: KafkaClient;
  /** Schema classes to register (handlers' payload classes are registered automatically). */
  schemas?: Type<unknown>[];
  /** Publish each schema's JSON Schema to `__schema__<Id>` at startup. Default `true`. */
  registerSchemas?: boolean;
  /** State store database. Default `{ type: 'sqlite', database: 'state.sqlite' }`. */
  store?: StoreConnectionOptions;
  /** How often glob subscriptions look for new topics, in ms. Default 30 000. */
  subscriptionRefreshMs?: number;
  /** Retry policy for failing handlers, overridable per handler. */
  retry?: RetryOptions;
  /** Defaults for topics samsa creates. */
  topics?: {
    /** Partitions of a topic created on first publish. Default 3. */
    partitions?: number;
    /** Replication factor, capped at the number of brokers. Default 3. */
    replicationFactor?: number;
  };
  /** Longest wait for in-flight handlers at shutdown, in ms. Default 30 000. */
  shutdownTimeoutMs?: number;
  /**
   * With state stores: what a handler does when the offset stored in SQL lies outside its partition's
   * log - `halt` (default: the partition stops, health says why), or `earliest`/`latest` (go on from
   * the log's start/end, with a warning naming the gap). Overridable per handler.
   */
  offsetReset?: 'halt' | 'earliest' | 'latest';
}

export interface StreamStoreOptionsFactory {
  createStreamStoreOptions(): Promise<StreamStoreModuleOptions> | StreamStoreModuleOptions;
}

export interface StreamStoreModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory?: (...args: never[]) => Promise<StreamStoreModuleOptions> | StreamStoreModuleOptions;
  inject?: Array<string | symbol | Type<unknown>>;
  useClass?: Type<StreamStoreOptionsFactory>;
  useExisting?: Type<StreamStoreOptionsFactory>;
}
