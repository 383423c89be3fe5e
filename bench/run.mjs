// `npm run bench [-- --quick] [-- --only=samsa,raw] [-- --reps=5] [-- --profile] [-- --verbose]`
// Builds what it measures (libs/schema and libs/stream-store, then bench/ itself: the cases run as
// plain JS, since a TypeScript loader would add ~140 MB to every process measured), starts a local
// Kafka broker unless KAFKA_BROKERS is set, and runs bench/main.ts.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureKafka, kafkaVersion } from '../scripts/kafka/broker.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    reps: { type: 'string', default: '3' },
    profile: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = fileURLToPath(new URL('./tsconfig.json', import.meta.url));
const compiled = spawnSync(process.execPath, [tsc, '-b', project], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

const kafka = await ensureKafka();
let code = 1;
try {
  const { main } = await import('./dist/main.js');
  code = await main({
    brokers: kafka.brokers,
    kafkaVersion: kafka.external ? undefined : kafkaVersion(),
    quick: values.quick,
    reps: Math.max(1, Number(values.reps)),
    only: values.only?.split(','),
    profile: values.profile,
    verbose: values.verbose,
  });
} finally {
  await kafka.stop();
}
process.exit(code);
