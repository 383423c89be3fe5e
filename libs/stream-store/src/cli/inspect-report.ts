import type { INestApplicationContext } from '@nestjs/common';
import picomatch from 'picomatch';
import { ClusterView, type OnClusterViewProgress } from '../admin/cluster-view.js';
import type { ClusterSnapshot, TopicView } from '../admin/cluster-view.interface.js';
import { SCHEMA_TOPIC_PREFIX } from '../constants.js';
import { SchemaTopics } from '../schema/schema-topics.js';
import { readStore, type StoreLocation, type StoredOffset, type StoreSize } from './store-sizes.js';

/** A schema as published on its `__schema__<Id>` topic. */
export interface PublishedSchema {
  id: string;
  /** The Kafka topic, with the prefix. */
  topic: string;
  /** Published versions, ascending, each with its JSON Schema. */
  versions: Array<{ version: number; schema: unknown }>;
}

/**
 * What `samsa inspect --json` prints: the cluster snapshot, with `topics` narrowed to those under
 * the prefix matching `--topics` and `groups` to those matching `--group` (lag on those topics
 * only). Offsets are decimal strings, lags numbers of messages.
 */
export interface InspectReport extends ClusterSnapshot {
  /** Every schema topic under the prefix; absent with `--no-schemas`. */
  schemas?: PublishedSchema[];
  /** Keys per state store; present with `--store`. */
  stores?: StoreSize[];
  /**
   * Offsets stored in SQL (`--store`), each checked against its partition's log: `beyond-end` (the
   * topic was recreated, or this is another cluster) and `below-start` (records expired unhandled)
   * halt the partition unless the handler's `offsetReset` says otherwise.
   */
  storedOffsets?: Array<StoredOffset & { range: 'ok' | 'beyond-end' | 'below-start' | 'unknown' }>;
}

export interface InspectQuery {
  /** fnmatch glob on topic names, with or without the prefix. */
  topics: string;
  /** fnmatch glob on group ids. */
  group: string;
  schemas: boolean;
  store?: StoreLocation;
}

/**
 * Reads the report through an application context that imports `StreamStoreModule.forRoot()`;
 * `onProgress` as the topics' offsets and the groups' commits come in.
 */
export async function readInspectReport(
  app: INestApplicationContext,
  query: InspectQuery,
  onProgress?: OnClusterViewProgress,
): Promise<InspectReport> {
  const [snapshot, store] = await Promise.all([
    app.get(ClusterView).snapshot(onProgress),
    query.store && readStore(query.store),
  ]);
  const topicMatches = glob(query.topics);
  const groupMatches = glob(query.group);
  const topics = snapshot.topics.filter(({ topic, name }) => topicMatches(name) || topicMatches(topic));
  const shown = new Set(topics.map(({ topic }) => topic));
  const groups = snapshot.groups
    .filter(({ groupId }) => groupMatches(groupId))
    .map((group) => {
      const partitions = group.partitions.filter(({ topic }) => shown.has(topic));
      return { ...group, lag: partitions.reduce((sum, { lag }) => sum + lag, 0), partitions };
    })
    .filter(({ partitions }) => partitions.length > 0);
  const schemaTopics = snapshot.topics.filter(({ kind }) => kind === 'schema');
  return {
    clusterId: snapshot.clusterId,
    controller: snapshot.controller,
    topicPrefix: snapshot.topicPrefix,
    brokers: snapshot.brokers,
    topics,
    groups,
    ...(query.schemas ? { schemas: await readSchemas(app.get(SchemaTopics), schemaTopics) } : {}),
    ...(store ? { stores: store.sizes, storedOffsets: checkRanges(store.offsets, snapshot.topics) } : {}),
    takenAt: snapshot.takenAt,
  };
}

/** Each stored offset against its partition's log bounds, as a handler checks it on assignment. */
function checkRanges(
  offsets: StoredOffset[],
  topics: TopicView[],
): NonNullable<InspectReport['storedOffsets']> {
  return offsets.map((stored) => {
    const log = topics
      .find(({ topic }) => topic === stored.topic)
      ?.partitions.find(({ partition }) => partition === stored.partition);
    if (!log) return { ...stored, range: 'unknown' as const };
    const offset = BigInt(stored.offset);
    const range =
      offset > BigInt(log.latest) ? 'beyond-end' : offset < BigInt(log.earliest) ? 'below-start' : 'ok';
    return { ...stored, range };
  });
}

/** Each schema topic read to its end (in parallel: each read joins a throw-away group). */
async function readSchemas(reader: SchemaTopics, topics: TopicView[]): Promise<PublishedSchema[]> {
  return Promise.all(
    topics.map(async ({ topic, name }) => {
      const id = name.slice(SCHEMA_TOPIC_PREFIX.length);
      const published = await reader.read(id);
      const versions = [...published]
        .sort(([a], [b]) => a - b)
        .map(([version, schema]) => ({ version, schema }));
      return { id, topic, versions };
    }),
  );
}

/** fnmatch semantics as in `@StreamHandler` patterns: `*` spans dots, `?` one character, `[abc]` a set. */
function glob(pattern: string): (name: string) => boolean {
  return picomatch(pattern, { dot: true, nobrace: true, noextglob: true });
}
