import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type {
  KafkaRecord,
  PartitionRange,
  PartitionReader,
  StreamReader,
} from '../kafka/kafka-client.interface.js';
import { RestoreReader } from './restore-reader.js';

/** Partition readers that deliver one record per range and count what they were asked. */
class FakeSource {
  readonly opened: Array<{ topics: readonly string[]; closed: boolean; reads: PartitionRange[] }> = [];
  failNext = false;

  reader(): StreamReader {
    return {
      readToEnd: () => Promise.reject(new Error('not used when partition readers exist')),
      partitionReader: (topics) => this.open(topics),
    };
  }

  private open(topics: readonly string[]): PartitionReader {
    const state = { topics, closed: false, reads: [] as PartitionRange[] };
    this.opened.push(state);
    return {
      topics,
      read: async (range, onRecords) => {
        if (state.closed) throw new Error('closed');
        state.reads.push(range);
        if (this.failNext) {
          this.failNext = false;
          throw new Error('broken');
        }
        await onRecords([
          { ...range, offset: range.from, key: null, value: null, headers: {}, timestamp: '0' },
        ]);
      },
      close: async () => {
        state.closed = true;
      },
    };
  }
}

const range = (topic: string, partition: number): PartitionRange => ({
  topic,
  partition,
  from: '0',
  end: '1',
});
const ignore = async (_records: KafkaRecord[]) => undefined;

describe('RestoreReader', () => {
  it('serves reads one after another and together from one reader over all the changelogs', async () => {
    const source = new FakeSource();
    const reader = new RestoreReader(() => source.reader(), 50);
    await reader.read(['a', 'b'], range('a', 0), ignore);
    await reader.read(['a', 'b'], range('a', 1), ignore);
    await Promise.all([
      reader.read(['a', 'b'], range('a', 2), ignore),
      reader.read(['a', 'b'], range('b', 2), ignore),
    ]);
    expect(source.opened).toHaveLength(1);
    expect(source.opened[0].topics).toEqual(['a', 'b']);
    expect(source.opened[0].reads).toHaveLength(4);
    await reader.close();
    expect(source.opened[0].closed).toBe(true);
  });

  it('closes the reader once idle, and opens a new one for the next read', async () => {
    const source = new FakeSource();
    const reader = new RestoreReader(() => source.reader(), 20);
    await reader.read(['a'], range('a', 0), ignore);
    await sleep(60);
    expect(source.opened[0].closed).toBe(true);
    await reader.read(['a'], range('a', 1), ignore);
    expect(source.opened).toHaveLength(2);
    await reader.close();
  });

  it('after a failed read, and for a changelog created since, the next read gets a new reader', async () => {
    const source = new FakeSource();
    const reader = new RestoreReader(() => source.reader(), 1_000);
    source.failNext = true;
    await expect(reader.read(['a'], range('a', 0), ignore)).rejects.toThrow('broken');
    await reader.read(['a'], range('a', 0), ignore);
    await reader.read(['a'], range('b', 0), ignore);
    expect(source.opened.map(({ topics, closed }) => ({ topics, closed }))).toEqual([
      { topics: ['a'], closed: true },
      { topics: ['a'], closed: true },
      { topics: ['a', 'b'], closed: false },
    ]);
    await reader.close();
  });

  it('falls back to readToEnd per partition when the client has no partition reader', async () => {
    const calls: unknown[] = [];
    const reader = new RestoreReader(() => ({
      readToEnd: async (topic, options) => {
        calls.push([topic, options.partitions, [...(options.from ?? [])]]);
      },
    }));
    await reader.read(['a'], { topic: 'a', partition: 2, from: '7', end: '9' }, ignore);
    expect(calls).toEqual([['a', [2], [[2, '7']]]]);
  });
});
