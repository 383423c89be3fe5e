// Carries out the fault schedule against the running workers, topics and driver, one fault after
// the other (a fault that takes long, e.g. a worker's start, delays the next), logging each.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Driver } from './driver.js';
import type { Fault, FaultKind } from './fault-schedule.js';
import type { SoakKafka } from './soak-kafka.js';
import { inputTopic, PARTITIONS } from './topology.js';
import type { WorkerPool } from './worker-pool.js';

/** Kafka's default `max.message.bytes`, restored after a refusal. */
const DEFAULT_MAX_MESSAGE_BYTES = '1048588';
/** Below any record batch's size: the output topic refuses every write. */
const REFUSING_MAX_MESSAGE_BYTES = '64';

export interface FaultContext {
  pool: WorkerPool;
  kafka: SoakKafka;
  driver: Driver;
  prefix: string;
  outputTopic: string;
  /** Input topics so far (the injector appends new ones). */
  inputTopics: string[];
  minWorkers: number;
  maxWorkers: number;
  log: (line: string) => void;
}

export class FaultInjector {
  readonly injected: Record<FaultKind, number> = {
    kill: 0,
    'add-worker': 0,
    'remove-worker': 0,
    'new-topic': 0,
    'refuse-output': 0,
    oversized: 0,
  };
  /** Faults that could not be carried out, e.g. a worker that did not exit 0 on SIGTERM. */
  readonly failures: string[] = [];
  private readonly background: Promise<void>[] = [];

  constructor(private readonly context: FaultContext) {}

  /** Runs every fault at its time (relative to `startedAt`); resolves when all are over. */
  async run(faults: readonly Fault[], startedAt: number): Promise<void> {
    for (const fault of faults) {
      await sleep(Math.max(0, startedAt + fault.atMs - Date.now()));
      const at = ((Date.now() - startedAt) / 1000).toFixed(1);
      await this.inject(fault, at).catch((error: unknown) => {
        this.failures.push(
          `t+${at}s ${fault.kind}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }
    await Promise.all(this.background);
  }

  private async inject(fault: Fault, at: string): Promise<void> {
    const { pool, kafka, driver, log } = this.context;
    let kind = fault.kind;
    // Keep the pool within bounds: a removal at the minimum adds instead, and vice versa.
    if (kind === 'remove-worker' && pool.size <= this.context.minWorkers) kind = 'add-worker';
    else if (kind === 'add-worker' && pool.size >= this.context.maxWorkers) kind = 'remove-worker';
    const victim = pool.names[Math.floor(fault.pick * pool.size)];
    const note = kind === fault.kind ? '' : ` (scheduled: ${fault.kind})`;
    switch (kind) {
      case 'kill':
        log(`t+${at}s SIGKILL ${victim}, restarted ${(fault.durationMs / 1000).toFixed(1)} s later${note}`);
        await pool.kill(victim);
        await sleep(fault.durationMs);
        await pool.restart(victim);
        break;
      case 'add-worker':
        log(`t+${at}s add a worker on a fresh store${note}`);
        log(`  added ${await pool.add()}`);
        break;
      case 'remove-worker':
        log(`t+${at}s remove ${victim} (SIGTERM)${note}`);
        await pool.remove(victim);
        break;
      case 'new-topic': {
        const topic = `${this.context.prefix}${inputTopic(this.context.inputTopics.length)}`;
        log(`t+${at}s new input topic ${topic}${note}`);
        await kafka.createTopic(topic, PARTITIONS);
        this.context.inputTopics.push(topic);
        driver.addTopic(topic);
        break;
      }
      case 'refuse-output':
        log(
          `t+${at}s ${this.context.outputTopic} refuses writes for ${(fault.durationMs / 1000).toFixed(1)} s${note}`,
        );
        await kafka.alterTopicConfig(this.context.outputTopic, {
          'max.message.bytes': REFUSING_MAX_MESSAGE_BYTES,
        });
        this.background.push(
          sleep(fault.durationMs)
            .then(() =>
              kafka.alterTopicConfig(this.context.outputTopic, {
                'max.message.bytes': DEFAULT_MAX_MESSAGE_BYTES,
              }),
            )
            .then(
              () => log(`  ${this.context.outputTopic} accepts writes again`),
              (error: unknown) => {
                this.failures.push(
                  `restoring ${this.context.outputTopic}'s max.message.bytes: ${String(error)}`,
                );
              },
            ),
        );
        break;
      case 'oversized':
        log(`t+${at}s an oversized record${note}`);
        driver.inject('oversized');
        break;
    }
    this.injected[kind]++;
  }
}
