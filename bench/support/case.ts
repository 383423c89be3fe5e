// The child-process side of a case: read its parameters, run the repetitions, report to main.ts.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/** What every case gets (in BENCH_PARAMS); each case adds its own fields. */
export interface CaseParams {
  case: string;
  brokers: string;
  /** Prefix of this run's topics. */
  prefix: string;
  reps: number;
  /** Messages per repetition. */
  messages: number;
  /** Size of one message value, for MB/s. */
  messageBytes: number;
  /** Longest wait for one repetition, in ms. */
  timeoutMs: number;
}

/** One repetition: what was done within the measured window. */
export interface Measurement {
  messages: number;
  bytes: number;
  seconds: number;
  /** User + system CPU of this process within the window. */
  cpuSeconds: number;
  /** Case-specific numbers (batch size, latency percentiles...). */
  extra?: Record<string, number>;
}

/** What a child sends back over IPC. */
export type CaseReport =
  | { status: 'done'; reps: Measurement[]; peakRssMb: number }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: string };

/**
 * With BENCH_PROFILE=<file>, the measured window of the last repetition is CPU-profiled (V8's
 * sampling profiler, every 100 µs) into that file: warm code, no startup, no group join.
 */
const profiler = {
  file: process.env.BENCH_PROFILE,
  armed: false,
  session: undefined as Session | undefined,
  written: Promise.resolve(),
  start(): void {
    if (!this.file || !this.armed || this.session) return;
    const session = (this.session = new Session());
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 100 });
    session.post('Profiler.start');
  },
  stop(): void {
    const { session, file } = this;
    if (!session || !file) return;
    this.written = new Promise((resolve) =>
      session.post('Profiler.stop', (error, result) => {
        if (!error) writeFileSync(file, JSON.stringify(result.profile));
        session.disconnect();
        resolve();
      }),
    );
    this.armed = false;
  },
};

/** Thrown by a case that cannot run here (no Postgres, feature missing): reported, not failed. */
export class Skip extends Error {}

/**
 * Counts handled messages. Unless opened earlier with `open()`, the window opens when the first
 * message (or batch) is handled, so group joins and the first fetch are left out, and so are the
 * messages counted then. It closes with `close()`.
 */
export class Window {
  private count = 0;
  private first = 0;
  private started?: number;
  private cpu?: NodeJS.CpuUsage;
  private onReached!: () => void;
  /** Resolves once `target` messages were handled. */
  readonly reached = new Promise<void>((resolve) => (this.onReached = resolve));

  /** `profiled`: false for windows that only count (setup), so BENCH_PROFILE ignores them. */
  constructor(
    readonly target: number,
    private readonly messageBytes: number,
    private readonly profiled = true,
  ) {}

  get handled(): number {
    return this.count;
  }

  /** Opens the window now, if it is not open yet. */
  open(): void {
    if (this.started !== undefined) return;
    if (this.profiled) profiler.start();
    this.started = performance.now();
    this.cpu = process.cpuUsage();
  }

  hit(messages = 1): void {
    if (this.started === undefined) {
      this.open();
      this.first = messages;
    }
    this.count += messages;
    if (this.count >= this.target) this.onReached();
  }

  close(extra?: Record<string, number>): Measurement {
    const seconds = (performance.now() - (this.started ?? NaN)) / 1000;
    const cpu = process.cpuUsage(this.cpu);
    if (this.profiled) profiler.stop();
    const messages = this.count - this.first;
    return {
      messages,
      bytes: messages * this.messageBytes,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      extra,
    };
  }
}

/** Rejects after `ms` with what `progress()` says, unless `promise` settled first. */
export async function within<T>(promise: Promise<T>, ms: number, progress: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${progress()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const uniqueId = (what: string): string =>
  `${what}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/** Runs `repetition` `params.reps` times and sends the report to the parent process. */
export async function runCase<P extends CaseParams>(
  repetition: (params: P, rep: number) => Promise<Measurement>,
): Promise<void> {
  const params = JSON.parse(process.env.BENCH_PARAMS ?? '{}') as P;
  let report: CaseReport;
  try {
    const reps: Measurement[] = [];
    for (let rep = 0; rep < params.reps; rep++) {
      profiler.armed = rep === params.reps - 1;
      reps.push(await repetition(params, rep));
    }
    await profiler.written;
    report = { status: 'done', reps, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  } catch (error) {
    report =
      error instanceof Skip
        ? { status: 'skipped', reason: error.message }
        : {
            status: 'failed',
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          };
  }
  if (process.send) process.send(report, () => process.exit(0));
  else {
    console.log(JSON.stringify(report, null, 2));
    process.exit(0);
  }
}
