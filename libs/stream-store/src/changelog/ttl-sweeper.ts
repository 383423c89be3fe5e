import { Logger } from '@nestjs/common';
import type { ProduceMessage, StreamProducer } from '../kafka/kafka-client.interface.js';
import type { StoreBackend } from '../store/backend/store-backend.interface.js';
import type { StoreRuntime } from '../store/store-runtime.js';
import { chunkHeaders } from './changelog-writer.js';
import type { LastWrite, OwnedPartitions } from './owned-partitions.js';

/** Keys tombstoned per partition and sweep, at most; the next sweep goes on. */
const SWEEP_LIMIT = 5_000;

/**
 * Deletes expired keys periodically (reads already skip them). Keys with a changelog are
 * tombstoned first, by the partition's owner only, while no batch of the partition is between its
 * changelog write and its commit (`OwnedPartitions`), and deleted only if still expired: a key set
 * again as it expires is never followed by a stale tombstone. Keys of partitions this process does
 * not own wait for their owner's tombstones; keys without a changelog are deleted at once.
 */
export class TtlSweeper {
  private readonly logger = new Logger('StateTtl');
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly stores: StoreRuntime,
    private readonly producer: StreamProducer,
    private readonly topicOf: (store: string) => string,
    private readonly ensureTopic: (topic: string, partition: number) => Promise<void>,
    private readonly owned: OwnedPartitions,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce()
      .catch((error: unknown) => this.logger.warn(`TTL sweep failed: ${String(error)}`))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    if (!this.stores.hasStores) return;
    const backend = await this.stores.journal();
    const logged = this.stores.changelogStores().map((store) => store.name);
    const now = Date.now();
    const deleted = await backend.deleteUnlogged(now, logged);
    let tombstoned = 0;
    if (logged.length > 0) {
      for (const partition of this.owned.partitions()) {
        tombstoned += await this.owned.exclusive(partition, () =>
          this.expire(backend, partition, new Set(logged), now),
        );
      }
    }
    if (deleted + tombstoned > 0) {
      this.logger.log(`Expired ${deleted + tombstoned} key(s), ${tombstoned} tombstoned in the changelogs`);
    }
  }

  /** Tombstones and deletes a partition's expired keys, unless a batch of it is uncommitted. */
  private async expire(
    backend: StoreBackend,
    partition: number,
    logged: ReadonlySet<string>,
    now: number,
  ): Promise<number> {
    const latest = this.owned.latest(partition);
    if (!latest || !(await this.owned.committed(partition, backend))) return 0;
    const expired = (await backend.expiredKeys(partition, now, SWEEP_LIMIT)).filter((row) =>
      logged.has(row.store),
    );
    if (expired.length === 0) return 0;
    const byStore = new Map<string, string[]>();
    for (const { store, key } of expired) byStore.set(store, [...(byStore.get(store) ?? []), key]);
    const requests = await Promise.all(
      [...byStore].map(async ([store, keys]) => {
        const topic = this.topicOf(store);
        await this.ensureTopic(topic, partition);
        return { topic, messages: tombstones(keys, partition, latest) };
      }),
    );
    await this.producer.send(requests);
    for (const [store, keys] of byStore) await backend.deleteExpiredKeys(store, keys, now);
    return expired.length;
  }
}

/** A chunk of tombstones, fenced like a batch's chunk by the owner's latest position and epoch. */
function tombstones(
  keys: readonly string[],
  partition: number,
  { position, epoch }: LastWrite,
): ProduceMessage[] {
  const messages: ProduceMessage[] = keys.map((key) => ({ key, value: null, partition }));
  messages[0].headers = chunkHeaders(position, epoch, messages.length);
  return messages;
}
