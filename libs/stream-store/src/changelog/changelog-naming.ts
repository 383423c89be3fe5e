import { CHANGELOG_SUFFIX } from '../constants.js';

/** `<prefix><appId>-<store>-changelog`: compacted, one partition per input partition number. */
export function changelogTopic(prefix: string, appId: string, store: string): string {
  return `${prefix}${appId}-${store}${CHANGELOG_SUFFIX}`;
}

/**
 * Headers of changelog records. On the first record of each produced chunk: the consumed
 * partition whose batch made the changes, the epoch of the assignment they were made under, and
 * how many records the chunk has (a restore skips a zombie's chunk, and only that chunk), and for a
 * batch's changes, which consumed offsets the batch covers (a restore applies them once the batch
 * is shown complete). On any
 * record, the key's expiry. Where the group goes on from is not a header: it is a position record
 * of its own (see `changelog-position.ts`), which compaction keeps.
 */
export const CHANGELOG_HEADERS = {
  group: 'samsa.group',
  topic: 'samsa.topic',
  partition: 'samsa.partition',
  epoch: 'samsa.epoch',
  records: 'samsa.records',
  /** The batch's consumed offsets, from (absent for a partition's first batch) and to. */
  batchFrom: 'samsa.batch-from',
  batchTo: 'samsa.batch-to',
  expiresAt: 'samsa.expires-at',
} as const;
