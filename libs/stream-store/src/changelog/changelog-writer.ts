import type { ProduceMessage, StreamAdmin, StreamProducer } from '../kafka/kafka-client.interface.js';
import type { TopicManager } from '../publisher/topic-manager.js';
import type { Checkpoint, RestoredPosition } from '../store/backend/journal-sql.js';
import type { StoreBackend } from '../store/backend/store-backend.interface.js';
import { pendingJson } from '../store/pending-write.js';
import type { StoreSettings } from '../store/store-settings.js';
import type { PendingWrite, UnitOfWork } from '../store/unit-of-work.js';
import { CHANGELOG_HEADERS } from './changelog-naming.js';
import { positionId, positionMessage } from './changelog-position.js';

const COMPACTED = { 'cleanup.policy': 'compact' };

/** Whose changes: the consumed partition's batch from `from` to `position.offset`, under `epoch`. */
export interface BatchIdentity {
  position: RestoredPosition;
  from: string | undefined;
  epoch: number;
}

/** A batch's changes in the changelogs: checkpoints for its SQL commit, then `confirm()` after it. */
export interface ChangelogWrite {
  checkpoints: Checkpoint[];
  /** Writes the batch's position records: call once its SQL commit succeeded and its outputs are out. */
  confirm(): Promise<void>;
  /** Committed, but not confirmed now (outputs wait): the partition's next confirmation stands for it. */
  defer(): void;
}

/** A store's changes of one batch, cut into produce requests. */
interface StoreChunks {
  store: string;
  topic: string;
  chunks: ProduceMessage[][];
}

/**
 * Writes a batch's state changes to the stores' changelog topics, on the partition of the input
 * partition the state belongs to, before the batch's SQL commit (the checkpoints it returns are
 * committed with the state); after the commit, the consumed position as a record of its own.
 */
export class ChangelogWriter {
  private readonly partitionCounts = new Map<string, Promise<number>>();
  /** Where this process's last position record landed, per changelog `topic:partition`. */
  private readonly positionAt = new Map<string, string>();
  /** Per consumed partition: changelogs still waiting for a position record of it. */
  private readonly owed = new Map<string, Set<string>>();

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
    batch: BatchIdentity,
    journal: Pick<StoreBackend, 'checkpoint' | 'vouch'>,
  ): Promise<ChangelogWrite> {
    const { position } = batch;
    const names = new Set(stores.map((store) => store.name));
    const changes = [...work.writes()].filter(([store, writes]) => names.has(store) && writes.size > 0);
    // Nothing for the changelogs: the file's state of the partition is theirs once committed (and
    // once the position records owed to them by earlier batches are in).
    if (changes.length === 0) return this.confirmation([], batch, work.partition, journal, []);
    const partitions = Math.max(await this.inputPartitions(position.topic), work.partition + 1);
    const planned = await Promise.all(
      changes.map(async ([store, writes]): Promise<StoreChunks> => {
        const topic = this.topicOf(store);
        await this.topics.ensure(topic, { partitions, config: COMPACTED });
        return { store, topic, chunks: chunks([...writes], work.partition) };
      }),
    );
    const since = await Promise.all(planned.map(({ store }) => journal.checkpoint(store, work.partition)));
    const spans = await Promise.all(planned.map((store) => this.produce(store, batch)));
    // A changelog partition takes the writes of every input topic's partition of that number, which
    // other instances may own: the checkpoint moves only over a stretch this instance wrote alone,
    // right after it (or right after its own last position record). Otherwise it stays, and the
    // next restore replays the stretch with the others'.
    const checkpoints = planned.flatMap(({ store, topic }, index) => {
      const { first, next: offset, contiguous } = spans[index];
      const from = since[index] ?? '0';
      const ownPosition = this.positionAt.get(`${topic}:${work.partition}`);
      const adjoining = first === from || (ownPosition === from && first === next(from, 1));
      return contiguous && adjoining ? [{ store, partition: work.partition, offset }] : [];
    });
    return this.confirmation(
      planned.map(({ topic }) => topic),
      batch,
      work.partition,
      journal,
      checkpoints,
    );
  }

  /**
   * The position record is restore's proof that the batch's changes were committed: written only
   * after the SQL commit and its outputs. Lost with a crash, the batch is handled again (the changes
   * are dropped). It goes to every changelog the batch wrote, and to those where an earlier batch of
   * the partition owes one (its record failed there, or waited for outputs): it vouches for that
   * batch too. The file is vouched for once all of them are in.
   */
  private confirmation(
    topics: readonly string[],
    { position, epoch }: BatchIdentity,
    partition: number,
    journal: Pick<StoreBackend, 'vouch'>,
    checkpoints: Checkpoint[],
  ): ChangelogWrite {
    const id = positionId(position);
    const owe = (owed: Iterable<string>) =>
      this.owed.set(id, new Set([...(this.owed.get(id) ?? []), ...owed]));
    return {
      checkpoints,
      defer: () => owe(topics),
      confirm: async () => {
        const targets = [...new Set([...topics, ...(this.owed.get(id) ?? [])])];
        if (targets.length > 0) {
          const marker = positionMessage(position, epoch, partition);
          try {
            const written = await this.producer.send(targets.map((topic) => ({ topic, messages: [marker] })));
            for (const { topic, offset } of written) this.positionAt.set(`${topic}:${partition}`, offset);
          } catch (error) {
            owe(targets);
            throw error;
          }
          this.owed.delete(id);
        }
        await journal.vouch([position]);
      },
    };
  }

  /** Chunks go one after another, each landing whole; contiguous when nothing came between them. */
  private async produce({ topic, chunks }: StoreChunks, { position, from, epoch }: BatchIdentity) {
    let span: Written | undefined;
    for (const messages of chunks) {
      messages[0].headers = {
        ...messages[0].headers,
        ...chunkHeaders(position, epoch, messages.length),
        ...batchHeaders(from, position.offset),
      };
      const [result] = await this.producer.send([{ topic, messages }]);
      const base = result?.offset ?? '-1';
      span = {
        first: span?.first ?? base,
        next: next(base, messages.length),
        contiguous: (span?.contiguous ?? true) && (span === undefined || span.next === base),
      };
    }
    return span ?? { first: '-1', next: '-1', contiguous: false };
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

/** Where a store's records of one write landed: from `first` to before `next`, and whether in one stretch. */
interface Written {
  first: string;
  next: string;
  contiguous: boolean;
}

/** Which consumed offsets a batch's chunk covers: a restore applies it once the batch is complete. */
function batchHeaders(from: string | undefined, to: string): Record<string, string> {
  const headers: Record<string, string> = { [CHANGELOG_HEADERS.batchTo]: to };
  if (from !== undefined) headers[CHANGELOG_HEADERS.batchFrom] = from;
  return headers;
}

const next = (base: string, count: number) => (BigInt(base) + BigInt(count)).toString();

/** On the first record of each chunk: whose batch it is, under which epoch, and how long the chunk is. */
export function chunkHeaders(
  position: RestoredPosition,
  epoch: number,
  records: number,
): Record<string, string> {
  return {
    [CHANGELOG_HEADERS.group]: position.group,
    [CHANGELOG_HEADERS.topic]: position.topic,
    [CHANGELOG_HEADERS.partition]: String(position.partition),
    [CHANGELOG_HEADERS.epoch]: String(epoch),
    [CHANGELOG_HEADERS.records]: String(records),
  };
}

/** Produce requests stay well under the broker's default 1 MiB `message.max.bytes`. */
const MAX_CHUNK_BYTES = 256 * 1024;

function chunks(writes: Array<[string, PendingWrite]>, partition: number): ProduceMessage[][] {
  const result: ProduceMessage[][] = [];
  let current: ProduceMessage[] = [];
  let bytes = 0;
  for (const [key, write] of writes) {
    const value = write.deleted ? null : pendingJson(write);
    const size = key.length + (value?.length ?? 0) + 64;
    if (current.length > 0 && bytes + size > MAX_CHUNK_BYTES) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    const expiresAt = !write.deleted && write.expiresAt !== undefined ? write.expiresAt : undefined;
    current.push({
      key,
      value,
      partition,
      headers: expiresAt === undefined ? {} : { [CHANGELOG_HEADERS.expiresAt]: String(expiresAt) },
    });
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}
