import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isUp, kafkaVersion } from '../../scripts/kafka/broker.mjs';
import { kafkaBrokers } from '../support/kafka.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the demo launcher, collecting its output; resolves with the exit code. */
function launch(args: string[], env: NodeJS.ProcessEnv, detached = false) {
  const demo = spawn(process.execPath, ['scripts/demo.mjs', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  let output = '';
  const seen: Array<[RegExp, () => void]> = [];
  const onData = (chunk: Buffer) => {
    output += chunk;
    for (const [pattern, resolve] of seen) if (pattern.test(output)) resolve();
  };
  demo.stdout.on('data', onData);
  demo.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => demo.on('exit', resolve));
  return {
    demo,
    exited,
    output: () => output,
    /** Resolves once the output matches; rejects if the demo exits first. */
    waitFor: (pattern: RegExp) =>
      Promise.race([
        new Promise<void>((resolve) => (pattern.test(output) ? resolve() : seen.push([pattern, resolve]))),
        exited.then((code) => {
          throw new Error(`the demo exited (${code}) before printing ${pattern}:\n${output.slice(-4000)}`);
        }),
      ]),
  };
}

describe('npm run demo', () => {
  it(
    '-- --once runs the demo scenario on real Kafka and SQLite, checks it over HTTP, and exits 0',
    { timeout: 240_000 },
    async () => {
      execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore' });
      const demo = spawn('npm', ['run', '--silent', 'demo', '--', '--once'], {
        cwd: root,
        env: { ...process.env, KAFKA_BROKERS: kafkaBrokers().join(',') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      demo.stdout.on('data', (chunk) => (output += chunk));
      demo.stderr.on('data', (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => demo.on('exit', resolve));
      expect(code, output.slice(-4000)).toBe(0);
      expect(output).toContain('Status of d1 changed from COMMISSIONED to CONNECTED');
      expect(output).toContain('Scenario complete: every check passed');
    },
  );

  it(
    'without a broker starts its own; a Ctrl-C in the terminal lets the app drain before the broker stops, ' +
      'and the state file goes with the broker',
    { timeout: 240_000 },
    async (context) => {
      // A broker on the compose port would be used instead: then this path cannot be tested here.
      if (await isUp('localhost:9092')) context.skip();
      execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore' });
      const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DEMO_TOPIC_PREFIX: `demo-${Date.now()}.` };
      delete env.KAFKA_BROKERS;
      delete env.DEMO_DB;
      // Its own process group, like a terminal's foreground job: the group gets the Ctrl-C.
      const run = launch([], env, true);
      await run.waitFor(/Running until Ctrl-C/);
      const output = run.output();
      expect(output).toContain(`starting a local Kafka ${kafkaVersion()}`);
      const brokers = /\[demo\] local Kafka on (\S+)/.exec(output)?.[1] ?? '';
      const state = /\[demo\] state in (\S+)/.exec(output)?.[1] ?? '';
      expect(existsSync(state)).toBe(true);

      process.kill(-(run.demo.pid ?? 0), 'SIGINT');
      const code = await run.exited;
      const after = run.output().slice(output.length);
      // Had the broker died with the Ctrl-C, closing the consumers would fail and be logged.
      expect(code, after).toBe(0);
      expect(after).not.toMatch(/ERROR|ECONNREFUSED|Connection error/);
      expect(await isUp(brokers)).toBe(false);
      expect(existsSync(state)).toBe(false);
    },
  );

  it('docker compose runs the Kafka version the launcher downloads', () => {
    const compose = readFileSync(`${root}/docker-compose.yml`, 'utf8');
    expect(/image: apache\/kafka:(\S+)/.exec(compose)?.[1]).toBe(kafkaVersion());
  });
});
