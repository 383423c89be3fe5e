// The bounded fault-injection soak (test/soak): worker processes of one stateful app, a driver,
// and a seeded schedule of 8 faults (2 SIGKILLs, a worker added, one removed, a new topic for the
// glob, the output topic refusing writes, 2 oversized values), then every invariant checked.
// SOAK_SEED=<n> replays a seed; the seed is printed first and in every violation. A random seed
// per run: CI explores a new schedule each time (README, "The soak").
import { describe, expect, it } from 'vitest';
import { formatReport } from '../soak/report.js';
import { runSoak } from '../soak/soak.js';
import { BOUNDED_FAULTS } from '../soak/fault-schedule.js';
import { BOUNDED } from '../soak/soak-settings.js';
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
