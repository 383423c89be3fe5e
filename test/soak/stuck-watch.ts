// "No partition stuck while health is green": polls the group's committed offsets and every
// worker's health; a partition with records left whose offset has not moved for `stuckAfterMs`,
// while the worker that has it assigned reports status `healthy` (not degraded: a degraded report
// names what partitions wait for, restores included), is a violation.
import type { StreamHealthReport } from '@samsa/stream-store';
import type { SoakKafka } from './soak-kafka.js';
import type { WorkerPool } from './worker-pool.js';

const POLL_MS = 2_000;

interface PartitionProgress {
  committed: bigint;
  since: number;
  reported: boolean;
}

export class StuckWatch {
  readonly violations: string[] = [];
  /** Health polls answered, and how many of them were unhealthy (with their first problems). */
  polls = 0;
  unhealthyPolls = 0;
  degradedPolls = 0;
  readonly problemsSeen = new Map<string, number>();
  private readonly progress = new Map<string, PartitionProgress>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: SoakKafka,
    private readonly pool: WorkerPool,
    private readonly group: string,
    private readonly inputTopics: readonly string[],
    private readonly stuckAfterMs: number,
    private readonly label: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.polling = this.polling
        .then(() => this.poll())
        .catch((error: unknown) => {
          // A poll that fails (e.g. a worker's port closing as it is killed) is skipped, not fatal.
          this.problemsSeen.set(
            `poll failed: ${String(error)}`,
            (this.problemsSeen.get(`poll failed: ${String(error)}`) ?? 0) + 1,
          );
        });
    }, POLL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  private async poll(): Promise<void> {
    const reports = new Map<string, StreamHealthReport>();
    for (const name of this.pool.names) {
      const report = await this.pool.health(name);
      if (typeof report === 'string') continue;
      reports.set(name, report);
      this.polls++;
      if (report.status !== 'healthy') {
        if (report.healthy) this.degradedPolls++;
        else this.unhealthyPolls++;
        for (const problem of [...report.problems, ...report.degraded]) {
          const shape = problem.replace(/\d+/g, 'N').slice(0, 160);
          this.problemsSeen.set(shape, (this.problemsSeen.get(shape) ?? 0) + 1);
        }
      }
    }
    const now = Date.now();
    for (const topic of [...this.inputTopics]) {
      const [ends, committed] = await Promise.all([
        this.kafka.watermarks(topic),
        this.kafka.committed(this.group, topic),
      ]);
      for (const [partition, { low, high }] of ends) {
        const id = `${topic}:${partition}`;
        const at = committed.get(partition) ?? -1n;
        const seen = this.progress.get(id);
        // Without a commit the partition starts at its log start: an empty one has nothing left.
        if (!seen || seen.committed !== at || (at < 0n ? low : at) >= high) {
          this.progress.set(id, { committed: at, since: now, reported: false });
          continue;
        }
        if (seen.reported || now - seen.since < this.stuckAfterMs) continue;
        const owner = [...reports].find(([, report]) =>
          report.handlers.some((h) => h.assigned.some((a) => a.topic === topic && a.partition === partition)),
        );
        if (!owner) continue;
        const [name, report] = owner;
        if (report.status !== 'healthy') continue;
        seen.reported = true;
        this.violations.push(
          `${this.label}: ${id} stuck at offset ${at} of ${high} for ${Math.round((now - seen.since) / 1000)} s ` +
            `while ${name}, which has it assigned, reports healthy (its log: ${this.pool.logFile(name)})`,
        );
      }
    }
  }
}
