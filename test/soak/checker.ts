// The soak's invariants, computed from what Kafka and the stores hold at the end: a pure function
// of the input log, the dead letters, the outputs, the state and the offsets.
import { decodeEnvelope } from '@samsa/schema';
import { DEAD_LETTER_HEADERS } from '@samsa/stream-store';
import type { LoggedRecord } from './soak-kafka.js';
import type { StateSnapshot } from './state-source.js';
import { stateKey, type CountData, type RecordKind, type TickData } from './topology.js';

export interface Invariant {
  name: string;
  /** What was measured, e.g. `12 000 records, 412 keys`. */
  figure: string;
  violations: string[];
}

export interface SoakEvidence {
  inputs: readonly LoggedRecord[];
  /** Records of every input topic's dead-letter topic. */
  deadLetters: readonly LoggedRecord[];
  /** The output topic, and its dead-letter topic (outputs Kafka refused for good). */
  outputs: readonly LoggedRecord[];
  outputDeadLetters: readonly LoggedRecord[];
  /** The workers' state at the end; `restored`: a fresh instance's state restored from changelogs. */
  state: StateSnapshot;
  restored?: StateSnapshot;
  /** High watermark and the group's committed Kafka offset, by `<topic>:<partition>`. */
  ends: ReadonlyMap<string, bigint>;
  committed: ReadonlyMap<string, bigint>;
  /** Whether oversized records must fail (a changelog refuses their value) or be counted. */
  oversizedFails: boolean;
}

const position = (topic: string, partition: number | string, offset?: string) =>
  offset === undefined ? `${topic}:${partition}` : `${topic}:${partition}@${offset}`;
const figure = (n: number) => n.toLocaleString('en-US');

function dataOf<T>(record: LoggedRecord): T | undefined {
  if (!record.value) return undefined;
  try {
    return decodeEnvelope(record.value).data as T;
  } catch (error) {
    // Only samsa-made records are read here: an undecodable one is reported by its caller.
    if (error instanceof Error) return undefined;
    throw error;
  }
}

/** Each input record's state key and kind, in log order per partition. */
interface Input {
  id: string;
  at: string;
  kind: RecordKind;
}

export function checkInvariants(evidence: SoakEvidence): Invariant[] {
  const inputs: Input[] = evidence.inputs.map((record) => ({
    id: stateKey(record.topic, record.key ?? ''),
    at: position(record.topic, record.partition, record.offset),
    kind: dataOf<TickData>(record)?.kind ?? 'ok',
  }));
  const deadLettered = deadLetteredInputs(evidence.deadLetters);
  return [
    checkDeadLetters(inputs, deadLettered, evidence),
    checkState('state = replay of the input log', inputs, deadLettered, evidence.state),
    ...(evidence.restored
      ? [checkState('state restored from the changelogs = replay', inputs, deadLettered, evidence.restored)]
      : []),
    ...checkOutputs(inputs, deadLettered, evidence),
    checkOffsets(evidence),
  ];
}

/** Dead-lettered input positions, each with how many dead letters it got and the first reason. */
function deadLetteredInputs(
  deadLetters: readonly LoggedRecord[],
): Map<string, { copies: number; reason: string }> {
  const result = new Map<string, { copies: number; reason: string }>();
  for (const letter of deadLetters) {
    const h = letter.headers;
    const at = position(
      h[DEAD_LETTER_HEADERS.topic] ?? '?',
      h[DEAD_LETTER_HEADERS.partition] ?? '?',
      h[DEAD_LETTER_HEADERS.offset] ?? '?',
    );
    const seen = result.get(at);
    const reason = `${h[DEAD_LETTER_HEADERS.errorClass] ?? '?'}: ${(h[DEAD_LETTER_HEADERS.errorMessage] ?? '').slice(0, 160)}`;
    result.set(at, { copies: (seen?.copies ?? 0) + 1, reason: seen?.reason ?? reason });
  }
  return result;
}

function checkDeadLetters(
  inputs: readonly Input[],
  deadLettered: ReadonlyMap<string, { copies: number; reason: string }>,
  { oversizedFails, deadLetters }: SoakEvidence,
): Invariant {
  const mustFail = (kind: RecordKind) => kind === 'poison' || (kind === 'oversized' && oversizedFails);
  const violations: string[] = [];
  const known = new Set(inputs.map((input) => input.at));
  let expected = 0;
  for (const input of inputs) {
    const letter = deadLettered.get(input.at);
    if (mustFail(input.kind)) {
      expected++;
      if (!letter) violations.push(`${input.at} (${input.kind}) was not dead-lettered`);
    } else if (letter) {
      violations.push(
        `${input.at} (${input.kind}, should have been handled) dead-lettered: ${letter.reason}`,
      );
    }
  }
  for (const [at, letter] of deadLettered) {
    if (!known.has(at))
      violations.push(`a dead letter for ${at}, which is no input record: ${letter.reason}`);
  }
  const kinds = ['poison', 'oversized'].map(
    (kind) => `${inputs.filter((i) => i.kind === kind).length} ${kind}`,
  );
  return {
    name: 'dead letters only for poisoned/oversized records',
    figure: `${figure(deadLettered.size)} dead-lettered (${figure(deadLetters.length)} written), ${figure(expected)} expected; inputs: ${kinds.join(', ')}`,
    violations,
  };
}

/** Per state key, the records that count: in log order, not dead-lettered. */
function countedRecords(
  inputs: readonly Input[],
  deadLettered: ReadonlyMap<string, unknown>,
): Map<string, string[]> {
  const counted = new Map<string, string[]>();
  for (const input of inputs) {
    if (deadLettered.has(input.at)) continue;
    const list = counted.get(input.id);
    if (list) list.push(input.at);
    else counted.set(input.id, [input.at]);
  }
  return counted;
}

function checkState(
  name: string,
  inputs: readonly Input[],
  deadLettered: ReadonlyMap<string, unknown>,
  state: StateSnapshot,
): Invariant {
  const counted = countedRecords(inputs, deadLettered);
  const violations: string[] = [];
  for (const [id, records] of counted) {
    const got = state.counts.get(id);
    if (got !== records.length)
      violations.push(`${id}: count ${got ?? 'missing'}, replay says ${records.length}`);
  }
  for (const [id, got] of state.counts) {
    if (!counted.has(id)) violations.push(`${id}: count ${got}, replay says none`);
  }
  const total = [...counted.values()].reduce((sum, records) => sum + records.length, 0);
  return { name, figure: `${figure(counted.size)} keys, ${figure(total)} counted records`, violations };
}

function checkOutputs(
  inputs: readonly Input[],
  deadLettered: ReadonlyMap<string, unknown>,
  { outputs, outputDeadLetters }: SoakEvidence,
): Invariant[] {
  const counted = countedRecords(inputs, deadLettered);
  const exactness: string[] = [];
  const order: string[] = [];
  const seen = new Map<string, Set<number>>();
  const sequences = new Map<string, number[]>();
  let duplicates = 0;
  let replays = 0;
  for (const [source, records] of [
    ['out', outputs],
    ['out.dlq', outputDeadLetters],
  ] as const) {
    for (const record of records) {
      const data = dataOf<CountData>(record);
      if (!data) {
        exactness.push(
          `${source} ${position(record.topic, record.partition, record.offset)} is no SoakCount envelope`,
        );
        continue;
      }
      const id = stateKey(data.topic, data.key);
      const input = position(data.topic, data.partition, data.offset);
      const want = counted.get(id)?.[data.count - 1];
      if (want !== input) {
        exactness.push(
          `${source}: ${id} count ${data.count} for ${input}, but the replay's record #${data.count} is ${want ?? 'none'} (output of rolled-back state)`,
        );
      }
      const counts = seen.get(id) ?? new Set<number>();
      if (counts.has(data.count)) duplicates++;
      counts.add(data.count);
      seen.set(id, counts);
      if (source === 'out') sequences.set(id, [...(sequences.get(id) ?? []), data.count]);
    }
  }
  for (const [id, records] of counted) {
    const counts = seen.get(id);
    const missing = records.map((_, i) => i + 1).filter((count) => !counts?.has(count));
    if (missing.length > 0) {
      exactness.push(
        `${id}: no output for count(s) ${compact(missing)} of ${records.length} (committed state without output)`,
      );
    }
  }
  for (const [id, sequence] of sequences) {
    // A restart may repeat outputs (a replay starts at or below the last one), never reorder them:
    // the first outputs of counts appear in increasing count order.
    const first = new Map<number, number>();
    sequence.forEach((count, i) => {
      if (i > 0 && count <= sequence[i - 1]) replays++;
      if (!first.has(count)) first.set(count, i);
    });
    const byCount = [...first].sort(([a], [b]) => a - b);
    const broken = byCount.findIndex(([, at], i) => i > 0 && at < byCount[i - 1][1]);
    if (broken > 0) {
      order.push(
        `${id}: count ${byCount[broken][0]} first produced before count ${byCount[broken - 1][0]} (outputs ${compact(sequence)})`,
      );
    }
  }
  const total = outputs.length + outputDeadLetters.length;
  return [
    {
      name: 'one output per committed state change, none for rolled-back state',
      figure: `${figure(total)} outputs (${figure(outputDeadLetters.length)} dead-lettered), ${figure(duplicates)} duplicates`,
      violations: exactness,
    },
    {
      name: 'per-key output order kept',
      figure: `${figure(sequences.size)} keys, ${figure(replays)} repeats after a restart`,
      violations: order,
    },
  ];
}

function checkOffsets({ ends, committed, state }: SoakEvidence): Invariant {
  const violations: string[] = [];
  let records = 0n;
  for (const [at, end] of ends) {
    records += end;
    const kafka = committed.get(at) ?? -1n;
    const sql = state.offsets.get(at) ?? -1n;
    // A partition that never had a record has nothing to commit (a glob's topic created late).
    const reached = (offset: bigint) => offset === end || (end === 0n && offset < 0n);
    if (!reached(kafka) || !reached(sql))
      violations.push(`${at}: end ${end}, committed in Kafka ${kafka}, in SQL ${sql}`);
  }
  return {
    name: 'committed offsets reach the end',
    figure: `${ends.size} partitions, ${figure(Number(records))} records`,
    violations,
  };
}

/** `1-4, 7, 9-10`. */
function compact(numbers: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < numbers.length; i++) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    parts.push(j > i ? `${numbers[i]}-${numbers[j]}` : `${numbers[i]}`);
    if (parts.length >= 12) {
      parts.push('...');
      break;
    }
    i = j;
  }
  return parts.join(', ');
}
