import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { advertisedUrlOf } from './advertising-assigner.js';
import { COPARTITIONED_ASSIGNER, copartitionedAssigner } from './copartitioned-assigner.js';

const { AssignerProtocol } = kafkajs;

const partitionsOf: Record<string, number> = { 'in.a': 3, 'in.b': 3, 'in.c': 2 };
const cluster = {
  findTopicPartitionMetadata: (topic: string) =>
    Array.from({ length: partitionsOf[topic] ?? 0 }, (_, partitionId) => ({ partitionId })),
};
const assigner = (url?: string) =>
  copartitionedAssigner(url)({ cluster, groupId: 'g', logger: console } as never);
const member = (memberId: string, topics: string[]) => ({
  memberId,
  memberMetadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
});

async function assign(members: ReturnType<typeof member>[], topics: string[]) {
  const result = await assigner().assign({ members, topics, userData: Buffer.alloc(0) } as never);
  return Object.fromEntries(
    result.map(({ memberId, memberAssignment }) => [
      memberId,
      AssignerProtocol.MemberAssignment.decode(memberAssignment)?.assignment,
    ]),
  );
}

describe('copartitionedAssigner', () => {
  it('gives partition p of every topic to one member', async () => {
    const topics = ['in.a', 'in.b', 'in.c'];
    expect(await assign([member('m2', topics), member('m1', topics)], topics)).toEqual({
      m1: { 'in.a': [0, 2], 'in.b': [0, 2], 'in.c': [0] },
      m2: { 'in.a': [1], 'in.b': [1], 'in.c': [1] },
    });
  });

  it('a topic only some members subscribe to goes round its subscribers', async () => {
    const assignment = await assign(
      [member('m1', ['in.a']), member('m2', ['in.a', 'in.c'])],
      ['in.a', 'in.c'],
    );
    expect(assignment).toEqual({ m1: { 'in.a': [0, 2] }, m2: { 'in.a': [1], 'in.c': [0, 1] } });
  });

  it('advertises its protocol with the member URL in the user data', () => {
    const protocol = assigner('http://10.0.0.7:3000').protocol({ topics: ['in.a'] });
    expect(protocol.name).toBe(COPARTITIONED_ASSIGNER);
    expect(advertisedUrlOf(protocol.metadata)).toBe('http://10.0.0.7:3000');
    expect(advertisedUrlOf(assigner().protocol({ topics: ['in.a'] }).metadata)).toBeUndefined();
  });
});
