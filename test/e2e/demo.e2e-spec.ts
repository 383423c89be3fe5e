import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kafkaBrokers } from '../support/kafka.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run demo -- --once', () => {
  it(
    'runs the demo scenario on real Kafka and SQLite, checks it over HTTP, and exits 0',
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
});
