import { Logger } from '@nestjs/common';
import type {
  KafkaRecord,
  PartitionRange,
  PartitionReader,
  StreamReader,
} from '../kafka/kafka-client.interface.js';

/** Restores of one rebalance come one after another, milliseconds apart: the reader waits that long. */
const IDLE_CLOSE_MS = 5_000;

/**
 * One partition reader shared by the restores of a process, so that they join one reader group
 * between them rather than one each: opened by the first read, closed after a few idle seconds or
 * on shutdown. After a failed read (it may have been the reader's), the next read gets a new one.
 */
export class RestoreReader {
  private readonly logger = new Logger('StateRestore');
  private current?: PartitionReader;
  /** Reads in flight per open reader; a retired reader closes when its last read ends. */
  private readonly inFlight = new Map<PartitionReader, number>();
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly source: () => StreamReader,
    private readonly idleCloseMs = IDLE_CLOSE_MS,
  ) {}

  /** Reads `range`; a reader opened for it covers all of `topics`, for the restores to come. */
  async read(
    topics: readonly string[],
    range: PartitionRange,
    onRecords: (records: KafkaRecord[]) => Promise<void>,
  ): Promise<void> {
    const source = this.source();
    const open = source.partitionReader?.bind(source);
    if (!open) {
      const { topic, partition, from } = range;
      return source.readToEnd(
        topic,
        { partitions: [partition], from: new Map([[partition, from]]) },
        onRecords,
      );
    }
    const reader = this.readerFor(open, topics, range.topic);
    this.count(reader, 1);
    try {
      await reader.read(range, onRecords);
    } catch (error) {
      this.retire(reader);
      throw error;
    } finally {
      this.count(reader, -1);
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const readers = [...this.inFlight.keys()];
    this.current = undefined;
    this.inFlight.clear();
    await Promise.all(readers.map((reader) => this.closeReader(reader)));
  }

  private readerFor(
    open: (topics: string[]) => PartitionReader,
    topics: readonly string[],
    topic: string,
  ): PartitionReader {
    clearTimeout(this.idleTimer);
    // A changelog created since the reader opened: a new reader, the old one retires.
    if (this.current && !this.current.topics.includes(topic)) this.retire(this.current);
    if (!this.current) {
      this.current = open([...new Set([...topics, topic])]);
      this.inFlight.set(this.current, 0);
    }
    return this.current;
  }

  private count(reader: PartitionReader, change: number): void {
    const reads = this.inFlight.get(reader);
    if (reads === undefined) return; // closed meanwhile
    this.inFlight.set(reader, reads + change);
    if (reads + change > 0) return;
    if (reader === this.current)
      this.idleTimer = setTimeout(() => this.retire(reader), this.idleCloseMs).unref();
    else this.retire(reader);
  }

  /** No new reads go to `reader`; it closes once its reads ended. */
  private retire(reader: PartitionReader): void {
    if (this.current === reader) this.current = undefined;
    if (this.inFlight.get(reader) !== 0) return;
    this.inFlight.delete(reader);
    void this.closeReader(reader);
  }

  private async closeReader(reader: PartitionReader): Promise<void> {
    await reader
      .close()
      .catch((error: unknown) => this.logger.warn(`Closing the changelog reader: ${String(error)}`));
  }
}
