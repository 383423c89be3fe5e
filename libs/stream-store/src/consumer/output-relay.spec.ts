import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type {
  ProduceMessage,
  ProduceRequest,
  RecordMetadata,
  StreamProducer,
} from '../kafka/kafka-client.interface.js';
import { KeyPartitioner } from '../publisher/key-partitioner.js';
import type { TopicManager } from '../publisher/topic-manager.js';
import type { OutboxRow } from '../store/backend/journal-sql.js';
import type { OffsetLedger } from '../store/offset-ledger.interface.js';
import { toOutboxRow } from '../store/outbox-record.js';
import { DEAD_LETTER_HEADERS } from './dead-letter.js';
import { OutputRelay } from './output-relay.js';

const FAST = { attempts: Number.MAX_SAFE_INTEGER, initialDelayMs: 5, maxDelayMs: 20 };

interface Produced {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, unknown>;
}

/** A producer that refuses, or fails, what `verdict` says, atomically per send (as Kafka per partition batch). */
class FakeProducer implements StreamProducer {
  readonly produced: Produced[] = [];
  sends = 0;

  constructor(private readonly verdict: (request: ProduceRequest) => Error | undefined = () => undefined) {}

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}

  /** Per request: which messages Kafka appends; the send fails (as too large) when it refuses any. */
  partially?: (request: ProduceRequest) => (message: ProduceMessage) => boolean;

  async send(requests: ProduceRequest[]): Promise<RecordMetadata[]> {
    this.sends++;
    await Promise.resolve();
    for (const request of requests) {
      const error = this.verdict(request);
      if (error) throw error;
    }
    for (const request of requests) {
      const accepts = this.partially?.(request);
      if (!accepts || request.messages.every(accepts)) continue;
      this.append([{ topic: request.topic, messages: request.messages.filter(accepts) }]);
      throw tooLarge();
    }
    this.append(requests);
    return [];
  }

  private append(requests: ProduceRequest[]): void {
    for (const { topic, messages } of requests) {
      for (const { key, value, headers } of messages)
        this.produced.push({ topic, key: String(key), value: String(value), headers: { ...headers } });
    }
  }

  values(topic: string): string[] {
    return this.produced.filter((output) => output.topic === topic).map((output) => output.value);
  }
}

/** The outbox table in memory: rows in commit order until deleted. */
class FakeLedger {
  readonly rows: OutboxRow[] = [];

  commit(topic: string, values: string[], key = 'k'): OutboxRow[] {
    const rows = values.map((value) =>
      toOutboxRow(
        { topic, key: Buffer.from(key), value: Buffer.from(value) },
        { group: 'g', topic: 'in', partition: 0 },
      ),
    );
    this.rows.push(...rows);
    return rows;
  }

  async pendingOutbox(limit: number): Promise<OutboxRow[]> {
    return this.rows.slice(0, limit);
  }

  async deleteOutbox(ids: readonly string[]): Promise<void> {
    const gone = new Set(ids);
    this.rows.splice(0, this.rows.length, ...this.rows.filter((row) => !gone.has(row.id)));
  }

  async outboxSize(): Promise<number> {
    return this.rows.length;
  }

  get asLedger(): OffsetLedger {
    return this as unknown as OffsetLedger;
  }
}

const topics = { ensure: async () => undefined } as unknown as TopicManager;
const observer = { published: () => undefined };
const tooLarge = () =>
  new KafkaJSProtocolError({
    message: 'The request included a message larger than the max message size',
    type: 'MESSAGE_TOO_LARGE',
    code: 10,
    retriable: false,
  } as never);
const unreachable = () => new KafkaJSConnectionError('Connection refused');
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));

describe('OutputRelay', () => {
  it('produces every output of concurrent commits once, in commit order, while one topic fails for a while', async () => {
    let failing = true;
    const producer = new FakeProducer((request) =>
      failing && request.topic === 'a' ? unreachable() : undefined,
    );
    const ledger = new FakeLedger();
    const relay = new OutputRelay(producer, topics, observer, { backoff: FAST });
    const commits: Promise<boolean>[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const values = range(batch * 5, batch * 5 + 5);
      commits.push(relay.relay(ledger.asLedger, ledger.commit('a', values)));
      commits.push(relay.relay(ledger.asLedger, ledger.commit('b', values)));
      if (batch === 10) {
        // Topic b never failed: its outputs went out while a's waited.
        await Promise.all(commits);
        expect(producer.values('b')).toEqual(range(0, 55));
        expect(producer.values('a')).toEqual([]);
        expect(relay.status().pending).toBe(55);
        failing = false;
      }
    }
    await Promise.all(commits);
    await until(() => ledger.rows.length === 0);
    expect(producer.values('a')).toEqual(range(0, 100));
    expect(producer.values('b')).toEqual(range(0, 100));
    expect(relay.status()).toEqual({ pending: 0, oldestAgeMs: 0 });
    relay.close();
  });

  it('dead-letters the one output Kafka refuses for good and produces the others once, in order', async () => {
    const producer = new FakeProducer((request) =>
      request.topic === 'a' && request.messages.some((message) => String(message.value).length > 10)
        ? tooLarge()
        : undefined,
    );
    const ledger = new FakeLedger();
    const deadLettered: Array<[string, number]> = [];
    const relay = new OutputRelay(
      producer,
      topics,
      { ...observer, outputsDeadLettered: (topic, count) => deadLettered.push([topic, count]) },
      { backoff: FAST },
    );
    await relay.relay(ledger.asLedger, ledger.commit('a', ['1', '2', 'x'.repeat(20), '3']));
    await relay.relay(ledger.asLedger, ledger.commit('a', ['4']));

    expect(producer.values('a')).toEqual(['1', '2', '3', '4']);
    const [letter] = producer.produced.filter((output) => output.topic === 'a.dlq');
    expect(letter.value).toBe('x'.repeat(20));
    expect(String(letter.headers[DEAD_LETTER_HEADERS.errorClass])).toBe('OutputRefusedError');
    expect(String(letter.headers[DEAD_LETTER_HEADERS.errorMessage])).toMatch(/max\.message\.bytes of a/);
    expect(String(letter.headers[DEAD_LETTER_HEADERS.handler])).toBe('g (in[0])');
    expect(deadLettered).toEqual([['a', 1]]);
    expect(ledger.rows).toEqual([]);
    relay.close();
  });

  it('sends each partition on its own, so a refused partition batch never resends an accepted one', async () => {
    const partitioner = new KeyPartitioner();
    // As Kafka does: each partition's batch is appended or refused on its own, and the send then fails.
    const producer = new FakeProducer();
    producer.partially = (request) => {
      const sizes = new Map<number, number>();
      for (const message of request.messages) {
        const partition = message.partition ?? partitioner.partition(String(message.key), 3);
        sizes.set(partition, (sizes.get(partition) ?? 0) + 1);
      }
      return (message) =>
        (sizes.get(message.partition ?? partitioner.partition(String(message.key), 3)) ?? 0) < 2;
    };
    const ledger = new FakeLedger();
    const relay = new OutputRelay(producer, topics, observer, {
      backoff: FAST,
      partitionCounts: { get: async () => 3 },
    });
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    // Keys a-c have two outputs each (their partition batches are refused), d-f one (accepted).
    const rows = keys.flatMap((key) =>
      ledger.commit('t', key < 'd' ? [`${key}1`, `${key}2`] : [`${key}1`], key),
    );
    await relay.relay(ledger.asLedger, rows);
    const values = producer.values('t');
    expect([...values].sort()).toEqual(['a1', 'a2', 'b1', 'b2', 'c1', 'c2', 'd1', 'e1', 'f1']);
    for (const key of keys) {
      const own = values.filter((value) => value.startsWith(key));
      expect(own).toEqual([...own].sort());
    }
    expect(ledger.rows).toEqual([]);
    relay.close();
  });

  it('drains what a previous run left, oldest first, before outputs committed since', async () => {
    const producer = new FakeProducer();
    const ledger = new FakeLedger();
    ledger.commit('a', range(0, 1200));
    const relay = new OutputRelay(producer, topics, observer, { backoff: FAST });
    const draining = relay.drain(ledger.asLedger);
    const later = relay.relay(ledger.asLedger, ledger.commit('a', range(1200, 1210)));
    expect(await draining).toBe(1200);
    await later;
    expect(producer.values('a')).toEqual(range(0, 1210));
    expect(ledger.rows).toEqual([]);
    relay.close();
  });

  it('releases a commit whose topic fails, and reports the backlog', async () => {
    const producer = new FakeProducer(() => unreachable());
    const ledger = new FakeLedger();
    const relay = new OutputRelay(producer, topics, observer, { backoff: FAST, stuckAfterMs: 0 });
    await relay.relay(ledger.asLedger, ledger.commit('a', ['1', '2']));
    await until(() => relay.status().stuck !== undefined);
    const status = relay.status();
    expect(status.pending).toBe(2);
    expect(status.stuck).toMatch(/2 committed output\(s\) wait .* a: Connection refused/);
    relay.close();
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
