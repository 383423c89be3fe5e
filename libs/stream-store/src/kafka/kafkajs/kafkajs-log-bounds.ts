import type { Kafka } from 'kafkajs';
import type { PartitionOffsets } from '../kafka-client.interface.js';
import { openableCluster, type KafkajsCluster } from './kafkajs-cluster.js';

/** Topics per metadata refresh and per pair of ListOffsets rounds: bounds request sizes on large clusters. */
const TOPICS_PER_ROUND = 500;

/**
 * Log bounds of many topics in a few requests. KafkaJS's admin has only `fetchTopicOffsets(topic)`:
 * two ListOffsets requests per topic, and each new topic joins the admin's metadata set, which it
 * then refreshes whole (2 700 topics took 108 s). KafkaJS's cluster, which its admin is built on,
 * lists the offsets of many topics with one ListOffsets request per leader broker. `open` answers
 * `undefined` when that cluster cannot be had (see `openableCluster`): callers then ask per topic.
 */
export class KafkajsLogBounds {
  private constructor(private readonly cluster: KafkajsCluster) {}

  static async open(kafka: Kafka): Promise<KafkajsLogBounds | undefined> {
    const open = openableCluster(kafka);
    if (!open) return undefined;
    const cluster = open();
    await cluster.connect();
    return new KafkajsLogBounds(cluster);
  }

  close(): Promise<void> {
    return this.cluster.disconnect();
  }

  /**
   * Earliest (`low`) and end (`high`) offsets of every partition of `topics`, by topic; `onRound`
   * after each round with the number of topics done. A topic deleted meanwhile is left out.
   */
  async fetch(
    topics: readonly string[],
    onRound: (done: number) => void = () => undefined,
  ): Promise<Map<string, PartitionOffsets[]>> {
    const bounds = new Map<string, PartitionOffsets[]>();
    for (let start = 0; start < topics.length; start += TOPICS_PER_ROUND) {
      const round = topics.slice(start, start + TOPICS_PER_ROUND);
      for (const [topic, offsets] of await this.fetchRound(round)) bounds.set(topic, offsets);
      onRound(start + round.length);
    }
    return bounds;
  }

  private async fetchRound(topics: string[]): Promise<Map<string, PartitionOffsets[]>> {
    try {
      await this.cluster.addMultipleTargetTopics(topics);
    } catch (error) {
      if (!isUnknownTopic(error)) throw error;
      // A topic was deleted since it was listed: ask again without it (KafkaJS forgot the whole round).
      const existing = new Set((await this.cluster.metadata()).topicMetadata.map(({ topic }) => topic));
      topics = topics.filter((topic) => existing.has(topic));
      await this.cluster.addMultipleTargetTopics(topics);
    }
    const request = (fromBeginning: boolean) =>
      this.cluster.fetchTopicsOffset(
        topics.map((topic) => ({
          topic,
          fromBeginning,
          partitions: this.cluster
            .findTopicPartitionMetadata(topic)
            .map(({ partitionId }) => ({ partition: partitionId })),
        })),
      );
    const [lows, highs] = await Promise.all([request(true), request(false)]);
    const low = new Map(
      lows.flatMap(({ topic, partitions }) =>
        partitions.map(({ partition, offset }) => [`${partition}:${topic}`, offset] as const),
      ),
    );
    return new Map(
      highs.map(({ topic, partitions }) => [
        topic,
        partitions
          .map(({ partition, offset }) => ({
            partition,
            low: low.get(`${partition}:${topic}`) ?? '0',
            high: offset,
          }))
          .sort((a, b) => a.partition - b.partition),
      ]),
    );
  }
}

function isUnknownTopic(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'UNKNOWN_TOPIC_OR_PARTITION';
}
