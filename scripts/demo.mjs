// `npm run demo [-- --once]`: runs the demo app against KAFKA_BROKERS, else a broker already on
// localhost:9092 (`docker compose up -d`), else a local Kafka it starts for this run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { ensureKafka, isUp, kafkaVersion } from './kafka/broker.mjs';

const COMPOSE_BROKER = 'localhost:9092';

/** KAFKA_BROKERS, else the compose broker if it answers, else a broker started here. */
async function chooseKafka() {
  if (process.env.KAFKA_BROKERS) {
    console.log(`[demo] Kafka from KAFKA_BROKERS: ${process.env.KAFKA_BROKERS}`);
    return ensureKafka();
  }
  if (await isUp(COMPOSE_BROKER)) {
    console.log(`[demo] Kafka found on ${COMPOSE_BROKER} (docker compose?): using it`);
    return { brokers: COMPOSE_BROKER, stop: async () => undefined, external: true };
  }
  console.log(
    `[demo] no KAFKA_BROKERS and no broker on ${COMPOSE_BROKER}: starting a local Kafka ${kafkaVersion()} ` +
      '(Java) for this run; it stops when the demo does',
  );
  // Detached: the terminal's Ctrl-C reaches the app, which drains; the broker is stopped after it.
  const kafka = await ensureKafka({ detached: true });
  console.log(`[demo] local Kafka on ${kafka.brokers}`);
  return kafka;
}

/** @param {string} brokers @returns {Promise<string>} the cluster's id (new with every new cluster) */
async function clusterId(brokers) {
  const admin = new kafkajs.Kafka({
    brokers: brokers.split(','),
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).clusterId;
  } finally {
    await admin.disconnect();
  }
}

const kafka = await chooseKafka();
const env = { ...process.env, KAFKA_BROKERS: kafka.brokers };
const once = process.argv.includes('--once'); // the app then uses fresh topics and a temp file
// State belongs to its cluster: its offsets mean nothing on another one (they would lie beyond the
// new topics' ends). A broker started here gets a state file that goes with it; a running cluster
// gets one named after its id, kept across runs, and the files of clusters seen before are removed.
let ownState;
if (!env.DEMO_DB && !once && !kafka.external) {
  ownState = mkdtempSync(join(tmpdir(), 'samsa-demo-'));
  env.DEMO_DB = join(ownState, 'state.sqlite');
} else if (!env.DEMO_DB && !once) {
  const id = await clusterId(kafka.brokers);
  env.DEMO_DB = `demo-state.${id}.sqlite`;
  for (const file of readdirSync('.')) {
    if (/^demo-state\..+\.sqlite/.test(file) && !file.startsWith(env.DEMO_DB)) rmSync(file, { force: true });
  }
}
if (env.DEMO_DB && !once) console.log(`[demo] state in ${env.DEMO_DB}`);

const app = spawn(process.execPath, ['apps/demo/dist/main.js', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env,
});
// Ctrl-C reaches the app through the terminal (it drains, then exits); forward TERM ourselves.
process.on('SIGTERM', () => app.kill('SIGTERM'));
process.on('SIGINT', () => undefined);
const code = await new Promise((resolve) =>
  app.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))),
);
await kafka.stop();
if (ownState) rmSync(ownState, { recursive: true, force: true });
process.exit(code);
