import { describe, expect, it } from 'vitest';
import type { KafkaRecord, RecordHeaders } from '../kafka/kafka-client.interface.js';
import { CHANGELOG_HEADERS } from './changelog-naming.js';
import { readChunk, type Fencing } from './restore-chunk.js';

let offset = 0;
function record(key: string, value: string | null, headers: RecordHeaders = {}): KafkaRecord {
  return {
    topic: 'app-counts-changelog',
    partition: 0,
    offset: String(offset++),
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers,
    timestamp: '0',
  };
}

/** The headers the writer puts on the first record of each produced chunk. */
function position(inputOffset: number, epoch: number): RecordHeaders {
  return {
    [CHANGELOG_HEADERS.group]: Buffer.from('group'),
    [CHANGELOG_HEADERS.topic]: Buffer.from('events'),
    [CHANGELOG_HEADERS.partition]: Buffer.from('0'),
    [CHANGELOG_HEADERS.offset]: Buffer.from(String(inputOffset)),
    [CHANGELOG_HEADERS.epoch]: Buffer.from(String(epoch)),
  };
}

const fresh = (): Fencing => ({ epochs: new Map(), skipping: false });

describe('readChunk', () => {
  it('keeps the latest change per key, tombstones as deletes, expiry from its header', () => {
    const chunk = readChunk(
      [
        record('a', '1', position(10, 1)),
        record('b', '1'),
        record('a', '2', { [CHANGELOG_HEADERS.expiresAt]: Buffer.from('5000') }),
        record('b', null),
      ],
      fresh(),
    );
    expect(chunk.upserts).toEqual([{ key: 'a', value: '2', expiresAt: 5000 }]);
    expect(chunk.deletes).toEqual(['b']);
    expect(chunk.positions).toEqual([{ group: 'group', topic: 'events', partition: 0, offset: '10' }]);
  });

  it('skips a zombie’s older-epoch records, also when a fetch split its produced chunk', () => {
    const fencing = fresh();
    readChunk([record('a', '1', position(10, 2))], fencing);
    // A zombie (epoch 1) writes late: its chunk's first record carries the headers, the rest inherit them.
    const first = readChunk([record('a', '99', position(5, 1)), record('b', '99')], fencing);
    const second = readChunk([record('c', '99'), record('d', '3', position(11, 2))], fencing);
    expect(first).toEqual({ upserts: [], deletes: [], positions: [] });
    expect(second.upserts).toEqual([{ key: 'd', value: '3', expiresAt: null }]);
    expect(second.positions).toEqual([{ group: 'group', topic: 'events', partition: 0, offset: '11' }]);
    expect(fencing.epochs.get('group\u0000events\u00000')).toBe(2);
  });
});
