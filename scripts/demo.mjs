// `npm run demo [-- --once]`: runs the demo app against KAFKA_BROKERS, or a local Kafka it starts.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKafka } from './kafka/broker.mjs';

const kafka = await ensureKafka();
if (!kafka.external) console.log(`[demo] local Kafka on ${kafka.brokers}`);

// State belongs to its cluster: a broker started here is new, so its state starts new too (an old
// file's offsets would lie beyond the new topics' ends, and samsa halts such partitions).
const env = { ...process.env, KAFKA_BROKERS: kafka.brokers };
if (!kafka.external && !env.DEMO_DB)
  env.DEMO_DB = join(mkdtempSync(join(tmpdir(), 'samsa-demo-')), 'state.sqlite');
const app = spawn(process.execPath, ['apps/demo/dist/main.js', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env,
});
// Ctrl-C reaches the app through the terminal; forward TERM ourselves.
process.on('SIGTERM', () => app.kill('SIGTERM'));
process.on('SIGINT', () => undefined);
const code = await new Promise((resolve) =>
  app.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))),
);
await kafka.stop();
process.exit(code);
