// `npm run soak -- [--seed N] [--minutes M] [--store sqlite|postgres] [--workers K] [--bounded]`
// (run through scripts/soak/run.mjs, which provides a broker): one soak run, its summary, and exit
// code 0 only when no invariant was violated.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { formatReport } from './report.js';
import { runSoak } from './soak.js';
import { BOUNDED, longRun, type SoakStore } from './soak-settings.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    minutes: { type: 'string', default: '15' },
    store: { type: 'string', default: 'sqlite' },
    workers: { type: 'string', default: '3' },
    bounded: { type: 'boolean', default: false },
  },
});

const store = values.store;
if (store !== 'sqlite' && store !== 'postgres') {
  console.error(`--store must be sqlite or postgres, not ${store}`);
  process.exit(2);
}
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const minutes = Number(values.minutes);
const workers = Number(values.workers);
if (!Number.isInteger(seed) || !(minutes > 0) || !Number.isInteger(workers) || workers < 1) {
  console.error('--seed must be an integer, --minutes a positive number, --workers a positive integer');
  process.exit(2);
}
const brokers = process.env.KAFKA_BROKERS;
if (!brokers) {
  console.error('KAFKA_BROKERS is not set: run through `npm run soak`, which provides a broker');
  process.exit(2);
}

const report = await runSoak({
  seed,
  brokers,
  store: store satisfies SoakStore,
  pgUrl: process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  log: (line) => console.log(line),
  ...(values.bounded ? BOUNDED : longRun(minutes, workers)),
});
console.log(formatReport(report));
process.exit(report.violations === 0 ? 0 : 1);
