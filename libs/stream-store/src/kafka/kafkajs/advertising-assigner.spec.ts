import kafkajs, { type Cluster, type Logger, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  advertisedUrlOf,
  advertisingAssigner,
  decodeAdvertisedUrl,
  encodeAdvertisedUrl,
} from './advertising-assigner.js';

const { AssignerProtocol, PartitionAssigners } = kafkajs;

/** The only part of a cluster the round-robin assigner reads: partitions per topic. */
function clusterWith(partitions: Record<string, number>): Cluster {
  const metadata = (topic: string): PartitionMetadata[] =>
    Array.from({ length: partitions[topic] ?? 0 }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    }));
  return { findTopicPartitionMetadata: metadata } as unknown as Cluster;
}

const config = (cluster: Cluster) => ({ cluster, groupId: 'g', logger: {} as Logger });

describe('advertisingAssigner', () => {
  it("puts the URL into the member's user data, beside the subscribed topics", () => {
    const assigner = advertisingAssigner('http://10.0.0.7:3000')(config(clusterWith({})));
    const { name, metadata } = assigner.protocol({ topics: ['orders', 'payments'] });

    expect(name).toBe('RoundRobinAssigner');
    const decoded = AssignerProtocol.MemberMetadata.decode(metadata);
    expect(decoded?.topics).toEqual(['orders', 'payments']);
    expect(decoded?.version).toBe(0);
    expect(advertisedUrlOf(metadata)).toBe('http://10.0.0.7:3000');
  });

  it('assigns exactly as KafkaJS round-robin does, so plain and advertising members share a group', async () => {
    const cluster = clusterWith({ a: 4, b: 3 });
    const members = [
      { memberId: 'm-2', metadata: advertisingAssigner('http://b:1')(config(cluster)) },
      { memberId: 'm-1', metadata: PartitionAssigners.roundRobin(config(cluster)) },
    ].map(({ memberId, metadata }) => ({
      memberId,
      memberMetadata: metadata.protocol({ topics: ['a', 'b'] }).metadata,
    }));
    const group = { members, topics: ['a', 'b'] };

    const ours = await advertisingAssigner('http://b:1')(config(cluster)).assign(group);
    const theirs = await PartitionAssigners.roundRobin(config(cluster)).assign(group);

    const decode = (assignment: typeof ours) =>
      assignment.map(({ memberId, memberAssignment }) => ({
        memberId,
        assignment: AssignerProtocol.MemberAssignment.decode(memberAssignment)?.assignment,
      }));
    expect(decode(ours)).toEqual(decode(theirs));
    expect(decode(ours)).toEqual([
      { memberId: 'm-1', assignment: { a: [0, 2], b: [0, 2] } },
      { memberId: 'm-2', assignment: { a: [1, 3], b: [1] } },
    ]);
  });
});

describe('advertised URL in user data', () => {
  it('round-trips any URL text', () => {
    for (const url of ['http://h:1', 'https://svc.ns.svc.cluster.local:8443/base?x=ü', ''])
      expect(decodeAdvertisedUrl(encodeAdvertisedUrl(url))).toBe(url);
  });

  it("reads no URL from members that advertise none or another client's user data", () => {
    const plain = AssignerProtocol.MemberMetadata.encode({
      version: 0,
      topics: ['a'],
      userData: Buffer.alloc(0),
    });
    const foreign = AssignerProtocol.MemberMetadata.encode({
      version: 0,
      topics: ['a'],
      userData: Buffer.from('{"url":"http://not-ours:1"}'),
    });
    const binary = AssignerProtocol.MemberMetadata.encode({
      version: 1,
      topics: ['a'],
      userData: Buffer.from([0, 0, 0, 1, 0xff]),
    });

    expect(advertisedUrlOf(plain)).toBeUndefined();
    expect(advertisedUrlOf(foreign)).toBeUndefined();
    expect(advertisedUrlOf(binary)).toBeUndefined();
    expect(advertisedUrlOf(Buffer.alloc(0))).toBeUndefined();
    expect(advertisedUrlOf(Buffer.from([1, 2, 3]))).toBeUndefined();
  });
});
