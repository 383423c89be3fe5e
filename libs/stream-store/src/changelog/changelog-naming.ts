import { CHANGELOG_SUFFIX } from '../constants.js';

/** `<prefix><appId>-<store>-changelog`: compacted, one partition per input partition number. */
export function changelogTopic(prefix: string, appId: string, store: string): string {
  return `${prefix}${appId}-${store}${CHANGELOG_SUFFIX}`;
}

/**
 * Headers of changelog records: the consumed position the change was committed with (so a
 * restore also restores where its group goes on from) and the key's expiry.
 */
export const CHANGELOG_HEADERS = {
  group: 'samsa.group',
  topic: 'samsa.topic',
  partition: 'samsa.partition',
  offset: 'samsa.offset',
  expiresAt: 'samsa.expires-at',
} as const;
