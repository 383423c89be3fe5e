// The seeded fault schedule: which faults, when, and their parameters, all drawn from the seed
// before the run starts, so a failing schedule can be replayed with the same `--seed`.
import type { Random } from './prng.js';

export type FaultKind = 'kill' | 'add-worker' | 'remove-worker' | 'new-topic' | 'refuse-output' | 'oversized';

export interface Fault {
  /** When, in ms after the traffic started. */
  atMs: number;
  kind: FaultKind;
  /** In [0, 1): which worker it hits, among those running then. */
  pick: number;
  /** How long the fault lasts: a killed worker's downtime, or an output topic's refusal, in ms. */
  durationMs: number;
}

/** The bounded (CI) mix: every kind at least once, kills twice, oversized records twice. */
export const BOUNDED_FAULTS: readonly FaultKind[] = [
  'kill',
  'kill',
  'add-worker',
  'remove-worker',
  'new-topic',
  'refuse-output',
  'oversized',
  'oversized',
];

/** Relative frequency of each kind in a long run. */
const WEIGHTS: ReadonlyArray<[FaultKind, number]> = [
  ['kill', 4],
  ['add-worker', 2],
  ['remove-worker', 2],
  ['new-topic', 1],
  ['refuse-output', 2],
  ['oversized', 2],
];
/** New topics a long run may create (the glob's topics stay few: every worker fetches them all). */
const MAX_NEW_TOPICS = 3;

function drawKind(random: Random, newTopics: number): FaultKind {
  const weights = WEIGHTS.filter(([kind]) => kind !== 'new-topic' || newTopics < MAX_NEW_TOPICS);
  let roll = random.next() * weights.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [kind, weight] of weights) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return weights[weights.length - 1][0];
}

/**
 * `kinds` (shuffled) or `count` faults drawn by weight, at random moments between 10 % and 80 % of
 * the traffic's duration: the last fifth lets the system settle with traffic still flowing.
 */
export function faultSchedule(
  random: Random,
  trafficMs: number,
  plan: { kinds: readonly FaultKind[] } | { count: number },
): Fault[] {
  let kinds: FaultKind[];
  if ('kinds' in plan) {
    kinds = [...plan.kinds];
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = random.int(0, i);
      [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
    }
  } else {
    kinds = [];
    for (let i = 0; i < plan.count; i++)
      kinds.push(drawKind(random, kinds.filter((k) => k === 'new-topic').length));
  }
  const faults = kinds.map((kind) => ({
    atMs: Math.round(trafficMs * (0.1 + 0.7 * random.next())),
    kind,
    pick: random.next(),
    durationMs: kind === 'refuse-output' ? random.int(3_000, 8_000) : random.int(500, 3_000),
  }));
  return faults.sort((a, b) => a.atMs - b.atMs);
}

export const describeFault = (fault: Fault) =>
  `t+${(fault.atMs / 1000).toFixed(1)}s ${fault.kind}` +
  (fault.kind === 'kill' || fault.kind === 'refuse-output'
    ? ` (${(fault.durationMs / 1000).toFixed(1)} s)`
    : '');
