// The parent side: runs one case file in its own Node process, so its CPU and RSS are its own.
import { spawn } from 'node:child_process';
import type { CaseParams, CaseReport } from './case.js';

export interface ChildOptions {
  /** Write a CPU profile of the last repetition's measured window to `<profileDir>/<case>.cpuprofile`. */
  profileDir?: string;
  /** Print the child's output as it comes. */
  verbose?: boolean;
}

const tail = (text: string, lines: number) => text.trimEnd().split('\n').slice(-lines).join('\n');

export function runChild(file: string, params: CaseParams, options: ChildOptions = {}): Promise<CaseReport> {
  const profile = options.profileDir
    ? { BENCH_PROFILE: `${options.profileDir}/${params.case}.cpuprofile` }
    : {};
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, BENCH_PARAMS: JSON.stringify(params), ...profile },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (options.verbose) process.stderr.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let report: CaseReport | undefined;
  child.on('message', (message) => (report = message as CaseReport));
  // A hung child is killed: each repetition has its own timeout, this is the backstop.
  const killer = setTimeout(() => child.kill('SIGKILL'), params.timeoutMs * (params.reps + 2));
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      if (report?.status === 'failed') report.error += `\n--- output (tail) ---\n${tail(output, 20)}`;
      resolve(
        report ?? {
          status: 'failed',
          error: `exited with ${signal ?? code} without a report\n--- output (tail) ---\n${tail(output, 20)}`,
        },
      );
    });
  });
}
