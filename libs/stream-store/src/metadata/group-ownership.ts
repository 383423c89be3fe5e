import type { GroupMemberInfo, StreamAdmin, TopicPartition } from '../kafka/kafka-client.interface.js';

/** How long a group's description answers before the coordinator is asked again, in ms. */
export const OWNERSHIP_MAX_AGE_MS = 1_000;

interface Described {
  /** This instance's assignment in the group when asked: a change means a rebalance happened. */
  readonly localAssignment: string;
  readonly at: number;
  readonly members: Promise<GroupMemberInfo[]>;
}

/**
 * Who in a consumer group owns which partitions, from the group coordinator (DescribeGroups),
 * kept for `OWNERSHIP_MAX_AGE_MS` and dropped as soon as this instance's own assignment changes.
 * While the group rebalances, assignments are empty or in flux: the last stable answer stands
 * (the previous owners hold the newest state until the new ones start).
 */
export class GroupOwnership {
  private readonly described = new Map<string, Described>();
  private readonly lastStable = new Map<string, GroupMemberInfo[]>();

  constructor(
    private readonly admin: Pick<StreamAdmin, 'describeGroupMembers'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The member that owns `partition` now; undefined when nobody does, or the client cannot tell. */
  async ownerOf(
    group: string,
    partition: TopicPartition,
    localAssignment: readonly TopicPartition[],
  ): Promise<GroupMemberInfo | undefined> {
    const members = await this.members(group, signature(localAssignment));
    return members.find((member) =>
      member.assigned.some(
        (owned) => owned.topic === partition.topic && owned.partition === partition.partition,
      ),
    );
  }

  private members(group: string, localAssignment: string): Promise<GroupMemberInfo[]> {
    const cached = this.described.get(group);
    if (
      cached &&
      cached.localAssignment === localAssignment &&
      this.now() - cached.at < OWNERSHIP_MAX_AGE_MS
    ) {
      return cached.members;
    }
    const members = this.describe(group);
    this.described.set(group, { localAssignment, at: this.now(), members });
    // A failed description is not kept: the next question asks again.
    members.catch(() => {
      if (this.described.get(group)?.members === members) this.described.delete(group);
    });
    return members;
  }

  private async describe(group: string): Promise<GroupMemberInfo[]> {
    if (!this.admin.describeGroupMembers) return [];
    const { rebalancing, members } = await this.admin.describeGroupMembers(group);
    if (rebalancing) return this.lastStable.get(group) ?? [];
    this.lastStable.set(group, members);
    return members;
  }
}

function signature(assignment: readonly TopicPartition[]): string {
  return assignment
    .map(({ topic, partition }) => `${topic}\0${partition}`)
    .sort()
    .join('\n');
}
