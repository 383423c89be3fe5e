// The soak's worker processes: started, SIGKILLed and restarted on the same store, added (on a
// fresh store) and removed (SIGTERM); each one's health read over its HTTP port.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamHealthReport } from '@samsa/stream-store';
import { spawnWorker, type Worker } from '../support/spawn-worker.js';

const WORKER_FILE = 'test/soak/worker.ts';
const STARTUP_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 60_000;

/** Where a worker keeps its state: its own SQLite file, or the shared Postgres schema. */
export type StoreEnv = Record<string, string>;

interface Member {
  name: string;
  env: Record<string, string>;
  process: Worker;
  port: number | undefined;
  /** Output of this worker's earlier processes (before a kill), kept for the logs. */
  history: string;
}

export class WorkerPool {
  private readonly members = new Map<string, Member>();
  private created = 0;

  constructor(
    private readonly baseEnv: Record<string, string>,
    /** The store of the n-th worker ever created (SQLite: a fresh file each). */
    private readonly storeOf: (n: number) => StoreEnv,
    private readonly logDir: string,
  ) {}

  get names(): string[] {
    return [...this.members.keys()];
  }

  get size(): number {
    return this.members.size;
  }

  /** Workers created so far (the n-th has store `storeOf(n)`). */
  get createdCount(): number {
    return this.created;
  }

  /** Starts a new worker on a fresh store; resolves once it serves HTTP. */
  async add(): Promise<string> {
    const n = this.created++;
    const name = `w${n}`;
    const env = { ...this.baseEnv, ...this.storeOf(n), WORKER_NAME: name };
    const member: Member = {
      name,
      env,
      process: spawnWorker(WORKER_FILE, env),
      port: undefined,
      history: '',
    };
    this.members.set(name, member);
    await this.awaitListening(member);
    return name;
  }

  /** SIGKILL: no drain, no leave; the group notices after its session timeout. */
  async kill(name: string): Promise<void> {
    const member = this.member(name);
    member.process.process.kill('SIGKILL');
    await member.process.exited;
    member.history += member.process.output() + `\n--- SIGKILL ---\n`;
    member.port = undefined;
  }

  /** Starts a killed worker again on the same store. */
  async restart(name: string): Promise<void> {
    const member = this.member(name);
    member.process = spawnWorker(WORKER_FILE, member.env);
    await this.awaitListening(member);
  }

  /** SIGTERM: drain and leave; fails when the worker does not exit 0 in time. */
  async remove(name: string): Promise<void> {
    const member = this.member(name);
    this.members.delete(name);
    member.process.process.kill('SIGTERM');
    const code = await Promise.race([
      member.process.exited,
      sleep(STOP_TIMEOUT_MS).then(() => 'timeout' as const),
    ]);
    this.writeLog(member);
    if (code === 'timeout') {
      member.process.process.kill('SIGKILL');
      await member.process.exited;
      throw new Error(`worker ${name} did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM`);
    }
    if (code !== 0) throw new Error(`worker ${name} exited ${code} after SIGTERM`);
  }

  /** The worker's StreamHealth report, or the reason there is none (not listening, no answer). */
  async health(name: string): Promise<StreamHealthReport | string> {
    const port = this.members.get(name)?.port;
    if (port === undefined) return 'not listening';
    try {
      const response = await fetch(`http://127.0.0.1:${port}/soak/health`, {
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) return `HTTP ${response.status}`;
      return (await response.json()) as StreamHealthReport;
    } catch (error) {
      return `no answer (${error instanceof Error ? error.message : String(error)})`;
    }
  }

  /** SIGKILLs every worker left (after a failure), writing their logs. */
  async killAll(): Promise<void> {
    for (const member of this.members.values()) {
      member.process.process.kill('SIGKILL');
      await member.process.exited;
      this.writeLog(member);
    }
    this.members.clear();
  }

  /** Where a worker's output goes once it is removed. */
  logFile(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  private member(name: string): Member {
    const member = this.members.get(name);
    if (!member) throw new Error(`no worker named ${name} (running: ${this.names.join(', ')})`);
    return member;
  }

  private async awaitListening(member: Member): Promise<void> {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      const match = /soak worker listening on (\d+)/.exec(member.process.output());
      if (match) {
        member.port = Number(match[1]);
        return;
      }
      const exited = await Promise.race([
        member.process.exited.then(() => true),
        sleep(200).then(() => false),
      ]);
      if (exited || Date.now() > deadline) {
        this.writeLog(member);
        const why = exited ? 'exited' : `was not listening within ${STARTUP_TIMEOUT_MS / 1000} s`;
        throw new Error(
          `worker ${member.name} ${why} while starting; its output is in ${this.logFile(member.name)}`,
        );
      }
    }
  }

  private writeLog(member: Member): void {
    writeFileSync(this.logFile(member.name), member.history + member.process.output());
  }
}
