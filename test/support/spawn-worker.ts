// Runs a TypeScript worker file in a child process (SWC compiles it, with decorator metadata).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Worker {
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function spawnWorker(file: string, env: Record<string, string>, args: string[] = []): Worker {
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', file, ...args], {
    cwd: root,
    env: { ...process.env, SWC_NODE_PROJECT: `${root}/tsconfig.json`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, output: () => output, exited };
}
