// `npm run kafka`: a local single-node broker in the foreground until Ctrl-C.
import { startKafka } from './broker.mjs';

const started = Date.now();
let kafka;
try {
  kafka = await startKafka();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
console.log(`Kafka is up: KAFKA_BROKERS=${kafka.brokers}`);
console.log(
  `(started in ${((Date.now() - started) / 1000).toFixed(1)} s; log: ${kafka.logFile}; Ctrl-C stops it)`,
);

let stopping = false;
const shutdown = async (/** @type {string} */ signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping Kafka ...`);
  await kafka.stop();
  console.log('Kafka stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
