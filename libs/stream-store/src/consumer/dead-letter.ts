import { DEAD_LETTER_SUFFIX } from '../constants.js';
import type { KafkaRecord, StreamProducer } from '../kafka/kafka-client.interface.js';
import type { TopicManager } from '../publisher/topic-manager.js';

/** Headers added to every dead letter; the original key, value and headers are kept. */
export const DEAD_LETTER_HEADERS = {
  topic: 'samsa.dlq.topic',
  partition: 'samsa.dlq.partition',
  offset: 'samsa.dlq.offset',
  errorClass: 'samsa.dlq.error-class',
  errorMessage: 'samsa.dlq.error-message',
  attempts: 'samsa.dlq.attempts',
  handler: 'samsa.dlq.handler',
  time: 'samsa.dlq.time',
} as const;

export interface DeadLetter {
  record: KafkaRecord;
  error: unknown;
  attempts: number;
  handler: string;
}

/** Writes failed records to `<topic>.dlq` (or a configured topic) with the reason in headers. */
export class DeadLetterWriter {
  constructor(
    private readonly producer: StreamProducer,
    private readonly topics: TopicManager,
    private readonly prefix: string,
  ) {}

  /** The dead-letter topic of a source topic: `<topic>.dlq`, or `configured` with the prefix applied. */
  topicFor(sourceTopic: string, configured?: string): string {
    return configured ? this.prefix + configured : sourceTopic + DEAD_LETTER_SUFFIX;
  }

  async send(letters: DeadLetter[], configured?: string): Promise<void> {
    const byTopic = new Map<string, DeadLetter[]>();
    for (const letter of letters) {
      const topic = this.topicFor(letter.record.topic, configured);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), letter]);
    }
    await Promise.all([...byTopic.keys()].map((topic) => this.topics.ensure(topic)));
    await this.producer.send(
      [...byTopic].map(([topic, list]) => ({ topic, messages: list.map((letter) => toMessage(letter)) })),
    );
  }
}

function toMessage({ record, error, attempts, handler }: DeadLetter) {
  const failure = error instanceof Error ? error : new Error(String(error));
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DEAD_LETTER_HEADERS.topic]: record.topic,
      [DEAD_LETTER_HEADERS.partition]: String(record.partition),
      [DEAD_LETTER_HEADERS.offset]: record.offset,
      [DEAD_LETTER_HEADERS.errorClass]: failure.constructor.name,
      [DEAD_LETTER_HEADERS.errorMessage]: failure.message,
      [DEAD_LETTER_HEADERS.attempts]: String(attempts),
      [DEAD_LETTER_HEADERS.handler]: handler,
      [DEAD_LETTER_HEADERS.time]: new Date().toISOString(),
    },
  };
}
