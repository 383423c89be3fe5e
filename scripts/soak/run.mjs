// `npm run soak -- --seed N --minutes M --store sqlite|postgres --workers K [--bounded]`
// Starts a local Kafka broker unless KAFKA_BROKERS is set, then runs test/soak/main.ts (compiled on
// the fly by SWC, for decorator metadata) and exits with its code: 0 = no invariant violated.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureKafka } from '../kafka/broker.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const kafka = await ensureKafka();
let code = 1;
try {
  const child = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'test/soak/main.ts', ...process.argv.slice(2)],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, KAFKA_BROKERS: kafka.brokers, SWC_NODE_PROJECT: `${root}/tsconfig.json` },
    },
  );
  code = await new Promise((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
} finally {
  await kafka.stop();
}
process.exit(code);
