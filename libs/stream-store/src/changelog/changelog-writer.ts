import type { StreamAdmin, StreamProducer } from '../kafka/kafka-client.interface.js';
import type { TopicManager } from '../publisher/topic-manager.js';
import type { Checkpoint, RestoredPosition } from '../store/backend/journal-sql.js';
import { pendingJson } from '../store/pending-write.js';
import type { StoreSettings } from '../store/store-settings.js';
import type { PendingWrite, UnitOfWork } from '../store/unit-of-work.js';
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

  /**
   * `epoch` is when the partition was assigned to this instance: a restore skips records of an
   * older epoch that follow newer ones (a zombie's late batch).
   */
  async write(
    work: UnitOfWork,
    stores: readonly StoreSettings[],
    position: RestoredPosition,
    epoch: number,
  ): Promise<Checkpoint[]> {
    const names = new Set(stores.map((store) => store.name));
    const changes = [...work.writes()].filter(([store, writes]) => names.has(store) && writes.size > 0);
    if (changes.length === 0) return [];
    const partitions = Math.max(await this.inputPartitions(position.topic), work.partition + 1);
    return Promise.all(
      changes.map(async ([store, writes]) => {
        const topic = this.topicOf(store);
        await this.topics.ensure(topic, { partitions, config: COMPACTED });
        let next = '0';
        for (const chunk of chunks([...writes])) {
          const messages = chunk.map(([key, write], index) => ({
            key,
            value: write.deleted ? null : pendingJson(write),
            partition: work.partition,
            headers: {
              ...(index === 0 ? positionHeaders(position, epoch) : {}),
              ...(!write.deleted && write.expiresAt !== undefined
                ? { [CHANGELOG_HEADERS.expiresAt]: String(write.expiresAt) }
                : {}),
            },
          }));
          // Chunks go one after another: each lands contiguously, in order.
          const [result] = await this.producer.send([{ topic, messages }]);
          next = (BigInt(result?.offset ?? '0') + BigInt(messages.length)).toString();
        }
        return { store, partition: work.partition, offset: next };
      }),
    );
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

/** The position and epoch go on the first record of each chunk; the records after it inherit them. */
function positionHeaders(position: RestoredPosition, epoch: number): Record<string, string> {
  return {
    [CHANGELOG_HEADERS.group]: position.group,
    [CHANGELOG_HEADERS.topic]: position.topic,
    [CHANGELOG_HEADERS.partition]: String(position.partition),
    [CHANGELOG_HEADERS.offset]: position.offset,
    [CHANGELOG_HEADERS.epoch]: String(epoch),
  };
}

/** Produce requests stay well under the broker's default 1 MiB `message.max.bytes`. */
const MAX_CHUNK_BYTES = 256 * 1024;

function chunks(writes: Array<[string, PendingWrite]>): Array<Array<[string, PendingWrite]>> {
  const result: Array<Array<[string, PendingWrite]>> = [];
  let current: Array<[string, PendingWrite]> = [];
  let bytes = 0;
  for (const entry of writes) {
    const [key, write] = entry;
    const size = key.length + (write.deleted ? 0 : pendingJson(write).length) + 64;
    if (current.length > 0 && bytes + size > MAX_CHUNK_BYTES) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}
