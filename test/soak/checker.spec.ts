// The soak's checker on hand-made evidence (no broker): each kind of violation the soak claims to
// catch is caught, and a crash's repeated outputs are not mistaken for one.
import { encodeEnvelope } from '@samsa/schema';
import { DEAD_LETTER_HEADERS } from '@samsa/stream-store';
import { describe, expect, it } from 'vitest';
import { checkInvariants, type SoakEvidence } from './checker.js';
import type { LoggedRecord } from './soak-kafka.js';
import { stateKey, type RecordKind } from './topology.js';

describe('soak checker', () => {
  const topic = 'in.a';
  const tick = (offset: number, kind: RecordKind = 'ok'): LoggedRecord => ({
    topic,
    partition: 0,
    offset: String(offset),
    key: 'k1',
    value: encodeEnvelope('SoakTick:1', { kind, seq: offset }),
    headers: {},
  });
  const output = (count: number, inputOffset: number): LoggedRecord => ({
    topic: 'out',
    partition: 0,
    offset: '0',
    key: 'k1',
    value: encodeEnvelope('SoakCount:1', {
      topic,
      partition: 0,
      offset: String(inputOffset),
      key: 'k1',
      count,
    }),
    headers: {},
  });
  const deadLetter = (offset: number): LoggedRecord => ({
    ...tick(offset),
    topic: `${topic}.dlq`,
    headers: {
      [DEAD_LETTER_HEADERS.topic]: topic,
      [DEAD_LETTER_HEADERS.partition]: '0',
      [DEAD_LETTER_HEADERS.offset]: String(offset),
      [DEAD_LETTER_HEADERS.errorClass]: 'PoisonRecordError',
    },
  });
  /** Offsets 0-3 ok, 4 poison (dead-lettered): k1 counts 4, outputs 1-4 for offsets 0-3. */
  const clean = (): SoakEvidence => ({
    inputs: [tick(0), tick(1), tick(2), tick(3), tick(4, 'poison')],
    deadLetters: [deadLetter(4)],
    outputs: [output(1, 0), output(2, 1), output(3, 2), output(4, 3)],
    outputDeadLetters: [],
    state: { counts: new Map([[stateKey(topic, 'k1'), 4]]), offsets: new Map([[`${topic}:0`, 5n]]) },
    ends: new Map([[`${topic}:0`, 5n]]),
    committed: new Map([[`${topic}:0`, 5n]]),
    oversizedFails: true,
  });
  const violated = (evidence: SoakEvidence) =>
    Object.fromEntries(
      checkInvariants(evidence)
        .filter((invariant) => invariant.violations.length > 0)
        .map((invariant) => [invariant.name, invariant.violations.length]),
    );

  it('finds nothing wrong in a clean history, nor in outputs a restart repeated in order', () => {
    expect(violated(clean())).toEqual({});
    const repeated = {
      ...clean(),
      outputs: [output(1, 0), output(2, 1), output(3, 2), output(2, 1), output(3, 2), output(4, 3)],
    };
    expect(violated(repeated)).toEqual({});
    const figures = checkInvariants(repeated).map((invariant) => invariant.figure);
    expect(figures).toContain('6 outputs (0 dead-lettered), 2 duplicates');
    expect(figures).toContain('1 keys, 1 repeats after a restart');
    // A topic the glob picked up that never had a record: nothing to commit there.
    const late = 'in.b:0';
    const withLate = (end: bigint): SoakEvidence => ({
      ...clean(),
      ends: new Map([...clean().ends, [late, end]]),
    });
    expect(violated(withLate(0n))).toEqual({});
    expect(violated(withLate(1n))).toEqual({ 'committed offsets reach the end': 1 });
  });

  it('finds lost state, missing and rolled-back outputs, reordering, wrong dead letters and lagging offsets', () => {
    expect(
      violated({ ...clean(), state: { ...clean().state, counts: new Map([[stateKey(topic, 'k1'), 5]]) } }),
    ).toEqual({
      'state = replay of the input log': 1,
    });
    expect(violated({ ...clean(), outputs: [output(1, 0), output(3, 2), output(4, 3)] })).toEqual({
      'one output per committed state change, none for rolled-back state': 1,
    });
    expect(
      violated({ ...clean(), outputs: [output(1, 0), output(2, 2), output(3, 2), output(4, 3)] }),
    ).toEqual({
      'one output per committed state change, none for rolled-back state': 1,
    });
    expect(
      violated({ ...clean(), outputs: [output(1, 0), output(3, 2), output(2, 1), output(4, 3)] }),
    ).toEqual({
      'per-key output order kept': 1,
    });
    expect(
      violated({
        ...clean(),
        deadLetters: [deadLetter(2)],
        outputs: [output(1, 0), output(2, 1), output(3, 3)],
      }),
    ).toEqual({
      'dead letters only for poisoned/oversized records': 2,
      'one output per committed state change, none for rolled-back state': 1,
    });
    expect(violated({ ...clean(), committed: new Map([[`${topic}:0`, 4n]]) })).toEqual({
      'committed offsets reach the end': 1,
    });
  });
});
