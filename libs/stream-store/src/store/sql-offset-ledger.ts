import { StaleAssignmentError } from '../errors/stale-assignment.error.js';
import type { TopicPartition } from '../kafka/kafka-client.interface.js';
import type { StoreBackend, StoreChanges, StoredEntry } from './backend/store-backend.interface.js';
import type { OffsetLedger } from './offset-ledger.interface.js';
import { pendingJson } from './pending-write.js';
import type { UnitOfWork } from './unit-of-work.js';
import type { Checkpoint, OutboxRow } from './backend/journal-sql.js';
import { toOutboxRow } from './outbox-record.js';

/** Offsets in `samsa_offsets`, committed in the same transaction as the state they produced. */
export class SqlOffsetLedger implements OffsetLedger {
  constructor(private readonly backend: StoreBackend) {}

  position(group: string, partition: TopicPartition): Promise<string | undefined> {
    return this.backend.position(group, partition);
  }

  async commit(
    group: string,
    partition: TopicPartition,
    from: string | undefined,
    to: string,
    work: UnitOfWork,
    checkpoints: readonly Checkpoint[] = [],
  ): Promise<OutboxRow[]> {
    // Named fields only: callers pass a fetched batch, whose records must not ride in every row.
    const source = { group, topic: partition.topic, partition: partition.partition };
    const outbox = work.outputs().map((output) => toOutboxRow(output, source));
    if (!(await this.backend.commit(group, partition, from, to, changesOf(work), { outbox, checkpoints }))) {
      throw new StaleAssignmentError(group, partition.topic, partition.partition, from ?? '(none)');
    }
    return outbox;
  }

  pendingOutbox(limit: number): Promise<OutboxRow[]> {
    return this.backend.pendingOutbox(limit);
  }

  deleteOutbox(ids: readonly string[]): Promise<void> {
    return this.backend.deleteOutbox(ids);
  }

  outboxSize(): Promise<number> {
    return this.backend.countOutbox();
  }
}

function changesOf(work: UnitOfWork): StoreChanges[] {
  return [...work.writes()].map(([store, writes]) => {
    const upserts: StoredEntry[] = [];
    const deletes: string[] = [];
    for (const [key, write] of writes) {
      if (write.deleted) deletes.push(key);
      else upserts.push({ key, value: pendingJson(write), expiresAt: write.expiresAt ?? null });
    }
    return { store, partition: work.partition, upserts, deletes };
  });
}
