import kafkajs, { type PartitionAssigner } from 'kafkajs';

const { AssignerProtocol, PartitionAssigners } = kafkajs;

/** Marks samsa's member user data, so that another client's bytes are never read as a URL. */
const USER_DATA_FORMAT = 'samsa.advertised/1';

/**
 * KafkaJS's round-robin assigner, with this member's `advertisedUrl` in the user data of its group
 * metadata (the bytes Kafka keeps per member and hands out in DescribeGroups). The protocol name
 * stays `RoundRobinAssigner`, so members with and without a URL share one group and assignment.
 */
export function advertisingAssigner(advertisedUrl: string): PartitionAssigner {
  const userData = encodeAdvertisedUrl(advertisedUrl);
  return (config) => {
    const roundRobin = PartitionAssigners.roundRobin(config);
    return {
      name: roundRobin.name,
      version: roundRobin.version,
      assign: (group) => roundRobin.assign(group),
      protocol: ({ topics }) => ({
        name: roundRobin.name,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: roundRobin.version, topics, userData }),
      }),
    };
  };
}

export function encodeAdvertisedUrl(url: string): Buffer {
  return Buffer.from(JSON.stringify({ format: USER_DATA_FORMAT, url }), 'utf8');
}

/**
 * The URL a member advertises, read from its group metadata; undefined when it advertises none
 * (no user data, another client's user data, or metadata of another protocol).
 */
export function advertisedUrlOf(memberMetadata: Buffer): string | undefined {
  if (memberMetadata.length === 0) return undefined;
  let userData: Buffer | undefined;
  try {
    userData = AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData;
  } catch {
    return undefined; // Not the consumer protocol's layout: another kind of member.
  }
  return userData && userData.length > 0 ? decodeAdvertisedUrl(userData) : undefined;
}

export function decodeAdvertisedUrl(userData: Buffer): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(userData.toString('utf8'));
  } catch {
    return undefined; // Another client's user data (e.g. the sticky assigner's), not ours.
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { format, url } = parsed as { format?: unknown; url?: unknown };
  return format === USER_DATA_FORMAT && typeof url === 'string' ? url : undefined;
}
