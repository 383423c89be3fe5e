// The bounded fault-injection soak (test/soak): worker processes of one stateful app, a driver,
// and a seeded schedule of 8 faults (2 SIGKILLs, a worker added, one removed, a new topic for the
// glob, the output topic refusing writes, 2 oversized values), then every invariant checked.
// SOAK_SEED=<n> replays a seed; the seed is printed first and in every violation.
import { encodeEnvelope } from '@samsa/schema';
import { DEAD_LETTER_HEADERS } from '@samsa/stream-store';
import { describe, expect, it } from 'vitest';
import { checkInvariants, type SoakEvidence } from '../soak/checker.js';
import { formatReport } from '../soak/report.js';
import { runSoak } from '../soak/soak.js';
import { BOUNDED_FAULTS } from '../soak/fault-schedule.js';
import { BOUNDED } from '../soak/soak-settings.js';
import type { LoggedRecord } from '../soak/soak-kafka.js';
import { stateKey, type RecordKind } from '../soak/topology.js';
import { kafkaBrokers } from '../support/kafka.js';
import { describePostgres, PG_URL } from '../support/postgres.js';

const seed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : Math.floor(Math.random() * 2 ** 31);
const log = (line: string) => console.log(line);

describe('fault-injection soak on SQLite (a file per worker, changelogs compacted eagerly)', () => {
  it(`keeps every invariant through ${BOUNDED_FAULTS.length} seeded faults (seed ${seed})`, async () => {
    console.log(`[soak] seed ${seed}`);
    const report = await runSoak({
      ...BOUNDED,
      seed,
      brokers: kafkaBrokers().join(','),
      store: 'sqlite',
      pgUrl: PG_URL,
      log,
    });
    const summary = formatReport(report);
    console.log(summary);
    expect(report.invariants.length).toBeGreaterThan(0);
    expect(report.violations, summary).toBe(0);
  }, 900_000);
});

describePostgres('fault-injection soak on Postgres (one shared schema)', () => {
  it(`keeps every invariant through ${BOUNDED_FAULTS.length} seeded faults (seed ${seed})`, async () => {
    // Shorter traffic: without changelogs there is less to restore, and the file's total stays ~4 min.
    const report = await runSoak({
      ...BOUNDED,
      trafficMs: 45_000,
      seed,
      brokers: kafkaBrokers().join(','),
      store: 'postgres',
      pgUrl: PG_URL,
      log,
    });
    const summary = formatReport(report);
    console.log(summary);
    expect(report.invariants.length).toBeGreaterThan(0);
    expect(report.violations, summary).toBe(0);
  }, 900_000);
});

// The checker itself, on hand-made evidence: each kind of violation the soak claims to catch is
// caught, and a crash's repeated outputs are not mistaken for one.
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
