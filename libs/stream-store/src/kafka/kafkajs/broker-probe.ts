import { Logger } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { BrokerReachability } from './broker-reachability.js';

export interface ProbeSettings {
  /** How often to look whether a probe is needed, and how long the brokers must be quiet for one, in ms. */
  intervalMs: number;
  /** A probe without an answer within this is a failure, in ms. */
  timeoutMs: number;
}

/**
 * Asks the brokers for their metadata (a small request) whenever no client has heard from them for
 * `intervalMs`: an application with no traffic still learns within a bound that they are gone, and
 * that they are back. Busy applications never probe. Each probe connects a fresh admin without
 * retries and disconnects it, so nothing stays open between probes. Its Kafka instance should log
 * nothing: its failures are reported through the reachability, not as log lines.
 */
export class BrokerProbe {
  private timer?: NodeJS.Timeout;
  private probing = false;
  private readonly logger = new Logger('KafkaJS');

  constructor(
    private readonly kafka: Kafka,
    private readonly reachability: BrokerReachability,
    private readonly settings: ProbeSettings,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.settings.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.probing || this.reachability.quietForMs() < this.settings.intervalMs) return;
    this.probing = true;
    try {
      await this.probe();
      this.reachability.answered();
    } catch (error) {
      this.reachability.failed(`metadata probe: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.probing = false;
    }
  }

  private async probe(): Promise<void> {
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    const attempt = (async () => {
      await admin.connect();
      await admin.describeCluster();
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.settings.timeoutMs} ms`)),
        this.settings.timeoutMs,
      );
    });
    try {
      await Promise.race([attempt, timeout]);
    } finally {
      clearTimeout(timer);
      // After a timeout the attempt may still fail; that failure was already counted as the timeout.
      attempt.catch((error: unknown) => this.reachability.failed(`metadata probe: ${String(error)}`));
      // A probe's admin holds a socket: always let it go.
      admin.disconnect().catch((error: unknown) => this.logger.debug(`Probe disconnect: ${String(error)}`));
    }
  }
}
