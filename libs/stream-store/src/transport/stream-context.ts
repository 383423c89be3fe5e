import { BaseRpcContext } from '@nestjs/microservices';
import type { KafkaRecord, RecordHeaders } from '../kafka/kafka-client.interface.js';
import type { PublishOptions } from '../publisher/publish-options.interface.js';

/** What a handler may do besides reading the record. */
export interface StreamContextActions {
  heartbeat(): Promise<void>;
  handlerId: string;
  group: string;
  attempt: number;
  publish(topic: string, message: object, options?: PublishOptions): void;
  /** Builds the run's abort signal when first asked for: most handlers never ask. */
  signal(): AbortSignal;
}

/** Per-message context, injected with `@Ctx()`. */
export class StreamContext extends BaseRpcContext<[KafkaRecord, StreamContextActions, string | undefined]> {
  /** The consumed record as it came from Kafka. */
  get record(): KafkaRecord {
    return this.args[0];
  }

  get topic(): string {
    return this.args[0].topic;
  }

  get partition(): number {
    return this.args[0].partition;
  }

  /** Offset as a decimal string. */
  get offset(): string {
    return this.args[0].offset;
  }

  /** The record key as text, or undefined when it has none. */
  get key(): string | undefined {
    return this.args[0].key?.toString();
  }

  get headers(): RecordHeaders {
    return this.args[0].headers;
  }

  /** Milliseconds since the epoch. */
  get timestamp(): number {
    return Number(this.args[0].timestamp);
  }

  /** The envelope's schema reference, e.g. `Content:1`; undefined for raw payloads. */
  get schema(): string | undefined {
    return this.args[2];
  }

  /** Consumer group of the handler. */
  get group(): string {
    return this.args[1].group;
  }

  /** Attempt number, from 1. */
  get attempt(): number {
    return this.args[1].attempt;
  }

  /**
   * Publishes a `@Schema` message once this record is done: validated now, produced after the
   * batch commits (with state stores, through the outbox in the same SQL transaction as the
   * state). Dropped if the handler fails.
   */
  publish(topic: string, message: object, options?: PublishOptions): void {
    this.args[1].publish(topic, message, options);
  }

  /**
   * Aborted when this run must stop: its `timeout` passed, or the consumer is stopping (shutdown,
   * rebalance). Pass it to cancellable work (`fetch`, database drivers) or check `aborted` in long loops;
   * the partition waits for the run to settle before it handles anything else.
   */
  get signal(): AbortSignal {
    return (this.cachedSignal ??= this.args[1].signal());
  }

  private cachedSignal?: AbortSignal;

  /** Keeps the consumer's group session alive during long work. */
  heartbeat(): Promise<void> {
    return this.args[1].heartbeat();
  }
}
