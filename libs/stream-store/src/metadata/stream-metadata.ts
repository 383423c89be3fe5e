import { Inject, Injectable } from '@nestjs/common';
import { STREAM_STORE_OPTIONS } from '../constants.js';
import { KeyNotOwnedError } from '../errors/key-not-owned.error.js';
import { StoreInputUnknownError } from '../errors/store-input-unknown.error.js';
import { KafkaConnections } from '../kafka/kafka-connections.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import { DEFAULTS } from '../defaults.js';
import { KeyPartitioner } from '../publisher/key-partitioner.js';
import { PartitionCounts } from '../publisher/partition-counts.js';
import { assertKey } from '../store/keys.js';
import { StreamStoreServer } from '../transport/stream-store.server.js';
import { GroupOwnership } from './group-ownership.js';
import type { KeyOwner, OwnerQuery } from './key-owner.interface.js';
import { sameInput, type StoreInput } from './store-input.js';
import { StoreInputs } from './store-inputs.js';

/**
 * Which instance owns a store key (Kafka Streams' `queryMetadataForKey`), so that an HTTP
 * controller can answer, redirect or proxy a query.
 *
 * The rule: a store is keyed like its input topic. A key belongs to the partition the publisher
 * would pick for it (murmur2 over the input topic's partition count), and the instance that owns
 * that partition in the writing handler's group holds its current value. The writing handler is
 * learned as handlers write the store; before that, the application's handlers stand in. A store
 * written from several topics (or groups) needs `{ topic }` to say which partitioning to use.
 */
@Injectable()
export class StreamMetadata {
  private readonly partitioner = new KeyPartitioner();
  private readonly counts: PartitionCounts;
  private readonly ownership: GroupOwnership;

  constructor(
    @Inject(STREAM_STORE_OPTIONS)
    private readonly options: Pick<ResolvedStreamStoreOptions, 'topicPrefix' | 'advertisedUrl'>,
    @Inject(KafkaConnections) kafka: Pick<KafkaConnections, 'admin'>,
    @Inject(StreamStoreServer) private readonly server: Pick<StreamStoreServer, 'handlerStatus'>,
    @Inject(StoreInputs) private readonly inputs: Pick<StoreInputs, 'of'>,
  ) {
    this.counts = new PartitionCounts(kafka.admin, DEFAULTS.partitionCountMaxAgeMs);
    this.ownership = new GroupOwnership(kafka.admin);
  }

  /**
   * The owner of `key` in `store`. Throws `StoreInputUnknownError` when no handler writes the
   * store, or several topics do and `query.topic` names none (or one that does not).
   */
  async ownerOf(store: string, key: string, query: OwnerQuery = {}): Promise<KeyOwner> {
    assertKey(key);
    const candidates = this.candidates(store, query.topic);
    if (candidates.length !== 1) throw this.unknownInput(store, query.topic, candidates);
    return this.owner(store, key, candidates[0]);
  }

  /**
   * Refuses a read outside handlers of a key another instance owns: its owner may hold newer
   * values than this instance's copy. A store written from several inputs is checked against each.
   * Reads of keys nobody else owns (no handler writes the store, or no instance runs it) pass.
   */
  async assertOwned(store: string, key: string): Promise<void> {
    assertKey(key);
    for (const input of this.candidates(store)) {
      const owner = await this.owner(store, key, input);
      if (owner.owned && !owner.local)
        throw new KeyNotOwnedError(store, key, owner.topic, owner.partition, owner.url);
    }
  }

  private async owner(store: string, key: string, input: StoreInput): Promise<KeyOwner> {
    const { group, topic } = input;
    const partition = this.partitioner.partition(key, await this.counts.get(topic));
    const assigned = this.server
      .handlerStatus()
      .filter((handler) => handler.group === group)
      .flatMap((handler) => handler.assigned);
    const answer = { store, key, group, topic, partition };
    if (assigned.some((owned) => owned.topic === topic && owned.partition === partition)) {
      return { ...answer, local: true, owned: true, url: this.options.advertisedUrl };
    }
    const member = await this.ownership.ownerOf(group, { topic, partition }, assigned);
    return { ...answer, local: false, owned: member !== undefined, url: member?.advertisedUrl };
  }

  /** The inputs that write `store` (learned, else every handler's), narrowed to `topic` if given. */
  private candidates(store: string, topic?: string): StoreInput[] {
    const named = (input: StoreInput) =>
      topic === undefined || input.topic === this.options.topicPrefix + topic;
    const learned = this.inputs.of(store).filter(named);
    if (learned.length > 0) return learned;
    const handlers = this.server
      .handlerStatus()
      .flatMap(({ group, topics }) => topics.map((name) => ({ group, topic: name })))
      .filter(named);
    return handlers.filter(
      (input, index) => handlers.findIndex((other) => sameInput(input, other)) === index,
    );
  }

  private unknownInput(store: string, topic: string | undefined, candidates: StoreInput[]): Error {
    if (candidates.length === 0) {
      return new StoreInputUnknownError(
        store,
        topic === undefined
          ? 'no handler of this application consumes anything yet, so no partition owns its keys. ' +
              'Ask again once the handler that writes the store has joined its group.'
          : `no handler of this application consumes "${topic}" (before the topic prefix): name an input ` +
              'topic of the handler that writes the store.',
      );
    }
    const listed = candidates.map(({ group, topic: name }) => `${name} (group ${group})`).join(', ');
    const topics = new Set(candidates.map((input) => input.topic));
    return new StoreInputUnknownError(
      store,
      topics.size > 1
        ? `its keys may come from ${listed}: pass the input topic, ownerOf(store, key, { topic }), ` +
            'to say which partitioning the key follows.'
        : `several handler groups consume ${listed}: a store keyed like its input must be written by ` +
            'one handler group, or its keys have no single owner.',
    );
  }
}
