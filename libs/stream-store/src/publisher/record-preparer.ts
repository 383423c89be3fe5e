import type { ProduceMessage } from '../kafka/kafka-client.interface.js';
import { traceHeaders } from '../telemetry/producer-tracing.js';
import type { MessageEncoder } from './message-encoder.js';
import type { PublishOptions } from './publish-options.interface.js';
import { topicConfigFor } from './topic-config.js';

/** One message ready for the producer. */
export interface PreparedRecord {
  /** The Kafka topic, prefix applied. */
  readonly topic: string;
  readonly message: ProduceMessage;
  /** Configs of the topic should samsa create it, e.g. `retention.ms` from the schema. */
  readonly config: Readonly<Record<string, string>>;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]+$/;
const MAX_TOPIC_LENGTH = 249;

/** Turns what a caller publishes into records: checks arguments, applies the topic prefix, validates and encodes. */
export class RecordPreparer {
  constructor(
    private readonly prefix: string,
    private readonly encoder: MessageEncoder,
  ) {}

  /** Validates synchronously (class-validator's asynchronous constraints are skipped). */
  prepare(topic: string, message: object, options: PublishOptions = {}): PreparedRecord {
    const kafkaTopic = this.topicOf(topic);
    checkOptions(options);
    const { value, definition, headers } = this.encoder.encode(message);
    return {
      topic: kafkaTopic,
      message: toMessage(kafkaTopic, value, options, headers),
      config: topicConfigFor(definition),
    };
  }

  async prepareAsync(topic: string, message: object, options: PublishOptions = {}): Promise<PreparedRecord> {
    const kafkaTopic = this.topicOf(topic);
    checkOptions(options);
    const { value, definition, headers } = await this.encoder.encodeAsync(message);
    return {
      topic: kafkaTopic,
      message: toMessage(kafkaTopic, value, options, headers),
      config: topicConfigFor(definition),
    };
  }

  /** Bytes (or text, or a tombstone) sent as they are: no envelope, no validation. */
  prepareRaw(topic: string, value: Buffer | string | null, options: PublishOptions = {}): PreparedRecord {
    const kafkaTopic = this.topicOf(topic);
    checkOptions(options);
    if (value !== null && typeof value !== 'string' && !Buffer.isBuffer(value)) {
      throw new TypeError(
        `publishRaw(${topic}): the value must be a Buffer, a string or null, got ${typeof value}.`,
      );
    }
    return { topic: kafkaTopic, message: toMessage(kafkaTopic, value, options), config: {} };
  }

  private topicOf(topic: string): string {
    const kafkaTopic = this.prefix + topic;
    if (typeof topic !== 'string' || !TOPIC_NAME.test(topic) || kafkaTopic.length > MAX_TOPIC_LENGTH) {
      throw new RangeError(
        `Topic ${JSON.stringify(topic)} is not a valid Kafka topic name: use 1 to ${MAX_TOPIC_LENGTH - this.prefix.length} ` +
          'letters, digits, ".", "_" or "-" (the topic prefix is added for you).',
      );
    }
    return kafkaTopic;
  }
}

function checkOptions({ key, partition }: PublishOptions): void {
  if (key !== undefined && typeof key !== 'string' && !Buffer.isBuffer(key)) {
    throw new TypeError(`The key must be a string or a Buffer, got ${typeof key}.`);
  }
  if (partition !== undefined && !(Number.isInteger(partition) && partition >= 0)) {
    throw new RangeError(`The partition must be a whole number ≥ 0, got ${String(partition)}.`);
  }
}

/** The record, its headers carrying the current trace context (OpenTelemetry, when the application uses it). */
/** `encoded`: the headers the encoding itself needs (an Avro record's content type and schema). */
function toMessage(
  topic: string,
  value: Buffer | string | null,
  { key, headers, partition }: PublishOptions,
  encoded?: Readonly<Record<string, string>>,
): ProduceMessage {
  const given = encoded ? { ...headers, ...encoded } : headers;
  const trace = traceHeaders(topic, given);
  return { key, value, headers: trace ? { ...given, ...trace } : given && { ...given }, partition };
}
