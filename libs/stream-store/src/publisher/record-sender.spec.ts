import { describe, expect, it, vi } from 'vitest';
import type { ProduceRequest, StreamProducer } from '../kafka/kafka-client.interface.js';
import { KeyPartitioner } from './key-partitioner.js';
import type { PreparedRecord } from './record-preparer.js';
import { RecordSender } from './record-sender.js';

const record = (topic: string, message: PreparedRecord['message'], config = {}): PreparedRecord => ({
  topic,
  message,
  config,
});

function setup(partitionCount = 6) {
  const requests: ProduceRequest[][] = [];
  const producer: StreamProducer = {
    connect: vi.fn(),
    disconnect: vi.fn(),
    send: vi.fn(async (sent: ProduceRequest[]) => {
      requests.push(sent);
      return sent.map(({ topic, messages }) => ({
        topic,
        partition: messages[0].partition ?? 0,
        offset: '41',
      }));
    }),
  };
  const connect = vi.fn(async () => undefined);
  const topics = { ensure: vi.fn(async () => undefined) };
  const counts = { get: vi.fn(async () => partitionCount) };
  const observer = { published: vi.fn() };
  const sender = new RecordSender({ producer, connect }, topics, counts, new KeyPartitioner(), observer);
  return { sender, requests, connect, topics, counts, observer };
}

describe('RecordSender', () => {
  it('places keyed records on the murmur2 partition, in one producer call, in order', async () => {
    const { sender, requests, observer } = setup(6);
    await sender.send([
      record('t', { key: 'foobar', value: '1' }),
      record('t', { key: '21', value: '2' }),
      record('u', { value: '3' }),
      record('t', { key: 'foobar', value: '4' }),
    ]);
    expect(requests).toHaveLength(1);
    const [[t, u]] = requests;
    // Java: toPositive(murmur2("foobar")) % 6 and toPositive(murmur2("21")) % 6.
    expect(t.messages.map(({ partition, value }) => [partition, value])).toEqual([
      [(-790332482 & 0x7fffffff) % 6, '1'],
      [(-973932308 & 0x7fffffff) % 6, '2'],
      [(-790332482 & 0x7fffffff) % 6, '4'],
    ]);
    expect(u.messages).toEqual([{ value: '3' }]);
    expect(observer.published.mock.calls).toEqual([
      ['t', 3],
      ['u', 1],
    ]);
  });

  it('creates topics first, with the configs the records ask for', async () => {
    const { sender, topics, connect, counts } = setup();
    await sender.send([
      record('t', { value: 'a' }),
      record('t', { value: 'b' }, { 'retention.ms': '60000' }),
    ]);
    expect(connect).toHaveBeenCalled();
    expect(topics.ensure).toHaveBeenCalledWith('t', { config: { 'retention.ms': '60000' } });
    // Keyless records leave the partition to the client: no metadata needed.
    expect(counts.get).not.toHaveBeenCalled();
  });

  it('keeps an explicit partition, and rejects one the topic does not have before sending', async () => {
    const { sender, requests } = setup(3);
    await sender.send([record('t', { key: 'foobar', value: 'a', partition: 2 })]);
    expect(requests[0][0].messages[0].partition).toBe(2);
    await expect(sender.send([record('t', { value: 'b', partition: 3 })])).rejects.toThrow(
      /has 3 partitions/,
    );
    expect(requests).toHaveLength(1);
  });

  it('reports nothing as published when the producer fails', async () => {
    const { sender, observer } = setup();
    const failing = new RecordSender(
      {
        producer: {
          connect: vi.fn(),
          disconnect: vi.fn(),
          send: vi.fn().mockRejectedValue(new Error('down')),
        },
        connect: vi.fn(),
      },
      { ensure: vi.fn() },
      { get: vi.fn() },
      new KeyPartitioner(),
      observer,
    );
    await expect(failing.send([record('t', { value: 'a' })])).rejects.toThrow('down');
    expect(observer.published).not.toHaveBeenCalled();
    expect(await sender.send([])).toEqual([]);
  });
});
