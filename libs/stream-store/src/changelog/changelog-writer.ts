import type { ProduceRequest, StreamAdmin, StreamProducer } from '../kafka/kafka-client.interface.js';
import type { TopicManager } from '../publisher/topic-manager.js';
import type { Checkpoint, RestoredPosition } from '../store/backend/journal-sql.js';
import { pendingJson } from '../store/pending-write.js';
import type { StoreSettings } from '../store/store-settings.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import { CHANGELOG_HEADERS } from './changelog-naming.js';

const COMPACTED = { 'cleanup.policy': 'compact' };

/**
 * Writes a batch's state changes to the stores' changelog topics, on the partition of the input
 * partition the state belongs to. Called before the batch's SQL commit: the records carry the
 * consumed position, and the checkpoints it returns are committed with the state.
 */
export class ChangelogWriter {
  private readonly partitionCounts = new Map<string, Promise<number>>();

  constructor(
    private readonly producer: StreamProducer,
    private readonly admin: StreamAdmin,
    private readonly topics: TopicManager,
    private readonly topicOf: (store: string) => string,
  ) {}

  async write(
    work: UnitOfWork,
    stores: readonly StoreSettings[],
    position: RestoredPosition,
  ): Promise<Checkpoint[]> {
    const requests: ProduceRequest[] = [];
    const names = new Set(stores.map((store) => store.name));
    for (const [store, writes] of work.writes()) {
      if (!names.has(store) || writes.size === 0) continue;
      const messages = [...writes].map(([key, write]) => ({
        key,
        value: write.deleted ? null : pendingJson(write),
        partition: work.partition,
        headers: {
          [CHANGELOG_HEADERS.group]: position.group,
          [CHANGELOG_HEADERS.topic]: position.topic,
          [CHANGELOG_HEADERS.partition]: String(position.partition),
          [CHANGELOG_HEADERS.offset]: position.offset,
          ...(!write.deleted && write.expiresAt !== undefined
            ? { [CHANGELOG_HEADERS.expiresAt]: String(write.expiresAt) }
            : {}),
        },
      }));
      requests.push({ topic: this.topicOf(store), messages });
    }
    if (requests.length === 0) return [];
    const partitions = await this.inputPartitions(position.topic);
    await Promise.all(
      requests.map(({ topic }) =>
        this.topics.ensure(topic, {
          partitions: Math.max(partitions, work.partition + 1),
          config: COMPACTED,
        }),
      ),
    );
    const results = await this.producer.send(requests);
    return requests.map(({ topic, messages }) => {
      const result = results.find((r) => r.topic === topic && r.partition === work.partition);
      const store = [...names].find((name) => this.topicOf(name) === topic) ?? topic;
      // One request per partition: its records got consecutive offsets from the base offset.
      return {
        store,
        partition: work.partition,
        offset: (BigInt(result?.offset ?? '0') + BigInt(messages.length)).toString(),
      };
    });
  }

  /** A changelog has as many partitions as the input topic: state of input partition p lives in p. */
  private inputPartitions(topic: string): Promise<number> {
    let count = this.partitionCounts.get(topic);
    if (!count) {
      count = this.admin.describeTopics([topic]).then((described) => described.get(topic)?.length ?? 1);
      this.partitionCounts.set(topic, count);
    }
    return count;
  }
}
