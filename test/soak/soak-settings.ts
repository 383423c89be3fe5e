// The soak's knobs, and the two presets: the bounded one CI runs, and the long local one.
import type { FaultKind } from './fault-schedule.js';
import { BOUNDED_FAULTS } from './fault-schedule.js';

export type SoakStore = 'sqlite' | 'postgres';

export interface SoakSettings {
  seed: number;
  brokers: string;
  store: SoakStore;
  /** Workers at the start; faults keep the pool between 1 and workers + 1. */
  workers: number;
  /** How long the driver produces, in ms. */
  trafficMs: number;
  recordsPerSecond: number;
  /** The faults: these kinds in a seeded order, or `count` drawn by weight. */
  faults: { kinds: readonly FaultKind[] } | { count: number };
  /** A partition whose offset has not moved for this long while its owner reports healthy is stuck. */
  stuckAfterMs: number;
  /** How long, after the traffic, the workers get to process everything. */
  drainTimeoutMs: number;
  /** Postgres server for the postgres variant (a fresh schema per run). */
  pgUrl: string;
  log: (line: string) => void;
}

type Preset = Omit<SoakSettings, 'seed' | 'brokers' | 'store' | 'pgUrl' | 'log'>;

/** The CI version: 60 s of traffic at 150 records/s, the 8 faults of BOUNDED_FAULTS. */
export const BOUNDED: Preset = {
  workers: 2,
  trafficMs: 60_000,
  recordsPerSecond: 150,
  faults: { kinds: BOUNDED_FAULTS },
  stuckAfterMs: 25_000,
  drainTimeoutMs: 60_000,
};

/**
 * `npm run soak`: `minutes` of traffic at 150 records/s (a lone worker, retrying 1 record in 25
 * with backoff, one partition at a time, keeps up with that), 4 faults a minute.
 */
export function longRun(minutes: number, workers: number): Preset {
  return {
    workers,
    trafficMs: minutes * 60_000,
    recordsPerSecond: 150,
    faults: { count: Math.max(1, Math.round(minutes * 4)) },
    stuckAfterMs: 30_000,
    drainTimeoutMs: 180_000,
  };
}
