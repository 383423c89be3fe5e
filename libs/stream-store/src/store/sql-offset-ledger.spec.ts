import { describe, expect, it } from 'vitest';
import type { StoreBackend } from './backend/store-backend.interface.js';
import { readOutboxRow } from './outbox-record.js';
import { SqlOffsetLedger } from './sql-offset-ledger.js';
import type { UnitOfWork } from './unit-of-work.js';

describe('SqlOffsetLedger', () => {
  it("stores an output's source as group, topic and partition only, whatever the caller's object holds", async () => {
    const backend = { commit: async () => true } as unknown as StoreBackend;
    const output = { topic: 'out', key: null, value: Buffer.from('{}'), headers: {} };
    const work = { outputs: () => [output, output], writes: () => new Map() } as unknown as UnitOfWork;
    // A fetched batch as the consume loop has it: its records must not be copied into each row.
    const batch = { topic: 'in', partition: 2, records: [{ value: Buffer.alloc(10_000) }] };
    const rows = await new SqlOffsetLedger(backend).commit('g', batch, '0', '1', work);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(readOutboxRow(row).source).toEqual({ group: 'g', topic: 'in', partition: 2 });
      expect(row.record.length).toBeLessThan(500);
    }
  });
});
