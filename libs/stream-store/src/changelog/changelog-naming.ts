import { CHANGELOG_SUFFIX } from '../constants.js';

/** `<prefix><appId>-<store>-changelog`: compacted, one partition per input partition number. */
export function changelogTopic(prefix: string, appId: string, store: string): string {
  return `${prefix}${appId}-${store}${CHANGELOG_SUFFIX}`;
}

/**
 * Headers of changelog records: on the first record of each produced chunk, the consumed position
 * the changes were committed with (so a restore also restores where the group goes on from) and
 * the epoch of the assignment they were made under; on any record, the key's expiry.
 */
export const CHANGELOG_HEADERS = {
  group: 'samsa.group',
  topic: 'samsa.topic',
  partition: 'samsa.partition',
  offset: 'samsa.offset',
  epoch: 'samsa.epoch',
  expiresAt: 'samsa.expires-at',
} as const;
