// The soak app's topics, stores and record kinds, shared by the workers, the driver and the checker
// (all names before the run's topic prefix).
import { fnv1a } from './prng.js';

/** Input topics: `in.a`, `in.b`, ... all matched by the handler's glob. */
export const INPUT_GLOB = 'in.*';
export const inputTopic = (n: number) => `in.${String.fromCharCode(97 + n)}`;
/** Every input topic has this many partitions (and so do the changelogs and the output). */
export const PARTITIONS = 3;

/** The sink: one output per counted record. */
export const OUTPUT_TOPIC = 'out';
export const APP_ID = 'soak';

/** `counts`: records per key (the state under test); `recent`: a TTL store; `blobs`: oversized values. */
export const STORES = { counts: 'counts', recent: 'recent', blobs: 'blobs' } as const;
export const RECENT_TTL_MS = 2_000;
/** An oversized record makes a `blobs` value of this many bytes: above Kafka's default 1 MB limit. */
export const OVERSIZED_BYTES = 1_200_000;

/**
 * What a record asks the handler to do: `ok` counts; `poison` always throws (dead-lettered);
 * `oversized` counts, then writes a value too large for the changelog (refused, then dead-lettered,
 * when the store has a changelog).
 */
export type RecordKind = 'ok' | 'poison' | 'oversized';

/** The payload of every input record. */
export interface TickData {
  kind: RecordKind;
  /** The driver's sequence number, for reading logs. */
  seq: number;
}

/** The payload of every output: which input record made the key's count `count`. */
export interface CountData {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  count: number;
}

/**
 * About 1 record in 25 fails its first attempt, chosen by hash of its position: the same records on
 * every attempt of every worker, so retries really happen (and are cut by rebalances and kills).
 */
export function failsFirstAttempt(topic: string, partition: number, offset: string): boolean {
  return fnv1a(`${topic}/${partition}/${offset}`) % 25 === 0;
}

/**
 * The store key of a record: input keys are counted per topic, so that the replay a count must
 * equal is one topic's log order (across topics, the order two partitions are handled in is free).
 * Counting one key across topics on one instance is `test/e2e/copartitioning`'s.
 */
export const stateKey = (topic: string, key: string) => `${topic}|${key}`;

/** The partition the driver writes a key to. */
export const partitionOf = (key: string) => fnv1a(key) % PARTITIONS;
