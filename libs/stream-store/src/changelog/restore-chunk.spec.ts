import { describe, expect, it } from 'vitest';
import type { KafkaRecord, RecordHeaders } from '../kafka/kafka-client.interface.js';
import { CHANGELOG_HEADERS } from './changelog-naming.js';
import { positionMessage } from './changelog-position.js';
import { chunkHeaders } from './changelog-writer.js';
import { readChunk, startFencing } from './restore-chunk.js';

const consumed = { group: 'group', topic: 'events', partition: 0 };

/** A changelog record at `offset` (compaction leaves gaps: offsets are given, not counted). */
function record(offset: number, key: string, value: string | null, headers: RecordHeaders = {}): KafkaRecord {
  return {
    topic: 'app-counts-changelog',
    partition: 0,
    offset: String(offset),
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers,
    timestamp: '0',
  };
}

/** The record closing a batch: the consumed position `inputOffset`, written under `epoch`. */
function position(
  offset: number,
  inputOffset: number,
  epoch: number,
  headers: RecordHeaders = {},
): KafkaRecord {
  const message = positionMessage({ ...consumed, offset: String(inputOffset) }, epoch, 0);
  return record(offset, message.key, message.value, headers);
}

/** The headers the writer puts on the first record of a chunk of `records` records. */
const opens = (epoch: number, records: number) => chunkHeaders({ ...consumed, offset: '' }, epoch, records);

/** The headers of a chunk of a batch that consumed `from` up to `to`. */
const batch = (epoch: number, records: number, from: number | undefined, to: number): RecordHeaders => ({
  ...opens(epoch, records),
  ...(from === undefined ? {} : { [CHANGELOG_HEADERS.batchFrom]: String(from) }),
  [CHANGELOG_HEADERS.batchTo]: String(to),
});

const values = (chunk: { upserts: Array<{ key: string; value: string }> }) =>
  Object.fromEntries(chunk.upserts.map(({ key, value }) => [key, value]));

describe('readChunk', () => {
  it('keeps the latest change per key, tombstones as deletes, expiry from its header; positions are not state', () => {
    const chunk = readChunk(
      [
        record(0, 'a', '1', opens(1, 5)),
        record(1, 'b', '1'),
        record(2, 'a', '2', { [CHANGELOG_HEADERS.expiresAt]: Buffer.from('5000') }),
        record(3, 'b', null),
        position(4, 10, 1),
      ],
      startFencing(new Map()),
    );
    expect(chunk.upserts).toEqual([{ key: 'a', value: '2', expiresAt: 5000 }]);
    expect(chunk.deletes).toEqual(['b']);
    expect(chunk.positions).toEqual([{ ...consumed, offset: '10' }]);
  });

  it('restores the latest position of each consumed partition after compaction dropped the chunks’ first records', () => {
    // Compacted: only the last writes of k and the last position of each input topic are left.
    const other = positionMessage({ ...consumed, topic: 'other', offset: '3' }, 1, 0);
    const chunk = readChunk(
      [record(57, 'k', '6'), position(58, 61, 1), record(70, other.key, other.value)],
      startFencing(new Map()),
    );
    expect(chunk.upserts).toEqual([{ key: 'k', value: '6', expiresAt: null }]);
    expect(chunk.positions).toEqual([
      { ...consumed, offset: '61' },
      { ...consumed, topic: 'other', offset: '3' },
    ]);
  });

  it('skips a zombie’s older-epoch chunk, also when a fetch split it, and only that chunk', () => {
    const fencing = startFencing(new Map());
    readChunk([record(0, 'a', '1', opens(2, 2)), position(1, 10, 2)], fencing);
    // A zombie (epoch 1) writes late: a chunk of 3 records, split by the fetch.
    const first = readChunk([record(2, 'a', '99', opens(1, 3)), record(3, 'b', '99')], fencing);
    const second = readChunk(
      [position(4, 5, 1), record(5, 'd', '3', opens(2, 2)), position(6, 11, 2)],
      fencing,
    );
    expect(first).toEqual({ upserts: [], deletes: [], positions: [] });
    expect(second.upserts).toEqual([{ key: 'd', value: '3', expiresAt: null }]);
    expect(second.positions).toEqual([{ ...consumed, offset: '11' }]);
    expect(fencing.epochs.get('group\u0000events\u00000')).toBe(2);
  });

  it('applies records whose chunk lost its first record to compaction, after a zombie’s chunk', () => {
    const fencing = startFencing(new Map([['group\u0000events\u00000', 2]]));
    // The zombie's chunk is offsets 10-11; offset 20's chunk began at 19, which compaction removed.
    const chunk = readChunk(
      [record(10, 'z', '99', opens(1, 2)), record(11, 'y', '99'), record(20, 'c', '7')],
      fencing,
    );
    expect(chunk.upserts).toEqual([{ key: 'c', value: '7', expiresAt: null }]);
  });

  it('ignores a zombie’s position record and never moves a position back', () => {
    const fencing = startFencing(new Map([['group\u0000events\u00000', 2]]));
    expect(readChunk([position(0, 99, 1)], fencing).positions).toEqual([]);
    expect(readChunk([position(1, 40, 2), position(2, 30, 2)], fencing).positions).toEqual([
      { ...consumed, offset: '40' },
    ]);
  });

  describe('a batch’s changes count once the log shows the batch complete', () => {
    it('drops the changes of a batch whose position record was never written (its commit never happened)', () => {
      // A writer killed between its changes and its position record: k=6 was never committed.
      // The next owner handled offsets 10.. again from k=5 and wrote k=6 for offset 10 only.
      const chunk = readChunk(
        [
          record(0, 'k', '5', batch(1, 1, 8, 10)),
          position(1, 10, 1),
          record(2, 'k', '6', batch(1, 2, 10, 12)),
          record(3, 'j', '1'),
          record(4, 'k', '6', batch(2, 1, 10, 11)),
          position(5, 11, 2),
        ],
        startFencing(new Map()),
      );
      expect(values(chunk)).toEqual({ k: '6' });
      expect(chunk.positions).toEqual([{ ...consumed, offset: '11' }]);
    });

    it('a position record vouches for its lineage: an abandoned attempt from the same offset is dropped, the batch it redid is kept', () => {
      // Batch 10..20 committed (its position record lost with its instance); an attempt elsewhere from
      // 10 died before committing; the first instance's next batch 20..25 and its position record came.
      const chunk = readChunk(
        [
          record(0, 'a', '1', batch(1, 2, 10, 20)),
          record(1, 'b', '1'),
          record(2, 'a', '9', batch(2, 1, 10, 15)),
          // The first instance's next assignment: a newer epoch.
          record(3, 'c', '1', batch(3, 1, 20, 25)),
          position(4, 25, 3),
        ],
        startFencing(new Map()),
      );
      expect(values(chunk)).toEqual({ a: '1', b: '1', c: '1' });
    });

    it('a position record vouches for the attempt of its own epoch, not an earlier abandoned one with the same end', () => {
      // Epoch 1 wrote chunk 1 of 2 of batch 10..20 and died; epoch 2 redid 10..20 in two chunks.
      const chunk = readChunk(
        [
          record(0, 'a', 'A', batch(1, 1, 10, 20)),
          record(1, 'a', 'B', batch(2, 1, 10, 20)),
          record(2, 'b', 'B', batch(2, 1, 10, 20)),
          position(3, 20, 2),
        ],
        startFencing(new Map()),
      );
      expect(values(chunk)).toEqual({ a: 'B', b: 'B' });
      expect(chunk.positions).toEqual([{ ...consumed, offset: '20' }]);
    });

    it('a chain links to the predecessor its writer committed, not an earlier abandoned attempt with the same end', () => {
      // Epoch 2's batch 10..20 lost its position record; its next batch 20..30 vouches for it.
      const chunk = readChunk(
        [
          record(0, 'a', 'A', batch(1, 1, 10, 20)),
          record(1, 'a', 'B', batch(2, 1, 10, 20)),
          record(2, 'b', 'B', batch(2, 1, 10, 20)),
          record(3, 'c', 'B', batch(2, 1, 20, 30)),
          position(4, 30, 2),
        ],
        startFencing(new Map()),
      );
      expect(values(chunk)).toEqual({ a: 'B', b: 'B', c: 'B' });
    });

    it('remembers where a skipped zombie chunk began, so a checkpoint can stay before it', () => {
      const fencing = startFencing(new Map());
      readChunk(
        [
          record(0, 'a', '1', batch(2, 1, 0, 10)),
          position(1, 10, 2),
          record(2, 'z', 'zombie', batch(1, 3, 0, 10)),
        ],
        fencing,
      );
      expect([fencing.skipFrom, fencing.skipUntil]).toEqual([2n, 5n]);
    });

    it('holds a batch until its position record, also across fetches, and the checkpoint stays before it', () => {
      const fencing = startFencing(new Map());
      const first = readChunk([record(7, 'k', '1', batch(1, 3, undefined, 4)), record(8, 'j', '1')], fencing);
      expect(first.upserts).toEqual([]);
      expect(fencing.pending.oldest()).toBe(7n);
      const second = readChunk([position(9, 4, 1)], fencing);
      expect(values(second)).toEqual({ k: '1', j: '1' });
      expect(second.positions).toEqual([{ ...consumed, offset: '4' }]);
      expect(fencing.pending.oldest()).toBeUndefined();
    });

    it('applies a batch once when a failed write was retried before its position record', () => {
      const chunk = readChunk(
        [record(0, 'k', '3', batch(1, 1, 0, 2)), record(1, 'k', '3', batch(1, 1, 0, 2)), position(2, 2, 1)],
        startFencing(new Map()),
      );
      expect(values(chunk)).toEqual({ k: '3' });
    });

    it('applies a batch whose position record compaction removed once a later one of its partition covers it', () => {
      const fencing = startFencing(new Map());
      const held = readChunk([record(0, 'a', '1', batch(1, 2, 0, 5)), record(1, 'b', '1')], fencing);
      expect(held.upserts).toEqual([]);
      const chunk = readChunk([record(9, 'b', '2', batch(1, 2, 5, 8)), position(10, 8, 1)], fencing);
      expect(values(chunk)).toEqual({ a: '1', b: '2' });
    });

    it('a later position record of the partition vouches for batches compaction left without theirs', () => {
      // Compacted: batch 0..11's first record (solo) is left, the next batches' first records are not.
      const chunk = readChunk(
        [record(0, 'solo', '1', batch(1, 12, undefined, 11)), record(57, 'k', '6'), position(60, 61, 1)],
        startFencing(new Map()),
      );
      expect(values(chunk)).toEqual({ solo: '1', k: '6' });
    });

    it('a held value never overwrites a newer one of its key read meanwhile (topics sharing keys)', () => {
      const other = { ...consumed, topic: 'other' };
      const fencing = startFencing(new Map());
      readChunk([record(0, 'k', '1', batch(1, 1, 0, 1))], fencing);
      // Another consumed partition writes k later and completes first.
      const otherBatch = chunkHeaders({ ...other, offset: '' }, 1, 2);
      const otherPosition = positionMessage({ ...other, offset: '3' }, 1, 0);
      readChunk(
        [
          record(1, 'k', '2', {
            ...otherBatch,
            [CHANGELOG_HEADERS.batchFrom]: '2',
            [CHANGELOG_HEADERS.batchTo]: '3',
          }),
          record(2, otherPosition.key, otherPosition.value),
        ],
        fencing,
      );
      const late = readChunk([position(3, 1, 1)], fencing);
      expect(late.upserts).toEqual([]);
      expect(late.positions).toEqual([{ ...consumed, offset: '1' }]);
    });

    it('applies chunks that name no batch (expiry tombstones, older changelogs) as read', () => {
      const chunk = readChunk([record(0, 'k', null, opens(1, 1))], startFencing(new Map()));
      expect(chunk.deletes).toEqual(['k']);
    });
  });
});
