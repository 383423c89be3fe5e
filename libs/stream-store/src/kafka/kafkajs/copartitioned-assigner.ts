import kafkajs, { type PartitionAssigner } from 'kafkajs';
import { encodeAdvertisedUrl } from './advertising-assigner.js';

const { AssignerProtocol } = kafkajs;

/** The group protocol name: every member of a group must offer it for the group to use it. */
export const COPARTITIONED_ASSIGNER = 'SamsaCopartitioned';
const VERSION = 1;

/**
 * Gives partition p of every topic a handler reads to one member, as Kafka Streams' tasks do: a
 * key lands on the same partition number in every input topic (same partition count, same
 * partitioner), so one instance holds all of a key's state and is the only writer of its changelog
 * partition. Partition numbers go round the members sorted by id; a topic some members do not
 * subscribe to (a glob's new topic during a rolling refresh) goes round its subscribers.
 * `advertisedUrl`, when given, rides in the member's user data as with the round-robin assigner.
 */
export function copartitionedAssigner(advertisedUrl?: string): PartitionAssigner {
  const userData = advertisedUrl === undefined ? undefined : encodeAdvertisedUrl(advertisedUrl);
  return ({ cluster }) => ({
    name: COPARTITIONED_ASSIGNER,
    version: VERSION,
    assign: async ({ members, topics }) => {
      const subscriptions = new Map(
        members.map(({ memberId, memberMetadata }) => [memberId, subscribedTopics(memberMetadata)]),
      );
      const assignment = new Map<string, Record<string, number[]>>(
        members.map(({ memberId }) => [memberId, {}]),
      );
      for (const topic of topics) {
        const subscribers = [...subscriptions]
          .filter(([, subscribed]) => subscribed === undefined || subscribed.has(topic))
          .map(([memberId]) => memberId)
          .sort();
        if (subscribers.length === 0) continue;
        for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
          const owner = assignment.get(subscribers[partitionId % subscribers.length])!;
          (owner[topic] ??= []).push(partitionId);
        }
      }
      return [...assignment].map(([memberId, topicPartitions]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: VERSION,
          assignment: topicPartitions,
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol: ({ topics }) => ({
      name: COPARTITIONED_ASSIGNER,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: VERSION,
        topics,
        userData: userData ?? Buffer.alloc(0),
      }),
    }),
  });
}

/** The topics a member subscribes to; undefined when its metadata cannot be read (then: all). */
function subscribedTopics(memberMetadata: Buffer): Set<string> | undefined {
  try {
    const topics = AssignerProtocol.MemberMetadata.decode(memberMetadata)?.topics;
    return topics ? new Set(topics) : undefined;
  } catch {
    return undefined;
  }
}
