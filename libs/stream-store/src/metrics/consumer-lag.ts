import { partitionLag } from '../admin/consumer-lag.js';
import type { StreamAdmin } from '../kafka/kafka-client.interface.js';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  /** Next offset the group will read; -1 when it committed nothing yet. */
  committed: string;
  /** Log end offset. */
  latest: string;
  /** Records not yet consumed by the group. */
  lag: number;
}

/** Lag of `groups` on their topics: log end minus committed offset (minus log start when nothing is committed). */
export async function consumerLag(
  admin: StreamAdmin,
  groups: Array<{ group: string; topics: string[] }>,
): Promise<PartitionLag[]> {
  const ends = new Map<string, Awaited<ReturnType<StreamAdmin['fetchTopicOffsets']>>>();
  const lags: PartitionLag[] = [];
  for (const { group, topics } of groups) {
    if (topics.length === 0) continue;
    for (const topic of topics) if (!ends.has(topic)) ends.set(topic, await admin.fetchTopicOffsets(topic));
    for (const { topic, partition, offset } of await admin.fetchGroupOffsets(group, topics)) {
      const end = ends.get(topic)?.find((p) => p.partition === partition);
      if (!end) continue;
      lags.push({
        group,
        topic,
        partition,
        committed: offset,
        latest: end.high,
        lag: partitionLag(offset, end.low, end.high),
      });
    }
  }
  return lags;
}
