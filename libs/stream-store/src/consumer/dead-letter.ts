import { DEAD_LETTER_SUFFIX } from '../constants.js';
import { DeadLetterWriteError } from '../errors/dead-letter-write.error.js';
import type { ProduceMessage, RecordHeaders, StreamProducer } from '../kafka/kafka-client.interface.js';
import type { TopicManager } from '../publisher/topic-manager.js';
import { traceDeadLetters } from '../telemetry/dead-letter-tracing.js';
import { type DeadLetter, deadLetterHeaders } from './dead-letter-headers.js';
import { deadLetterTopicOptions } from './dead-letter-topic.js';

export { DEAD_LETTER_HEADERS, type DeadLetter } from './dead-letter-headers.js';

/**
 * Dead letters go out in sends of at most this many bytes (one larger letter goes alone): a producer
 * puts a send's records for one partition in one record batch, and the topic's `max.message.bytes`
 * bounds the batch, not the record - two letters its source took one by one must not be refused together.
 */
export const DEAD_LETTER_SEND_BYTES = 512 * 1024;

interface Letter {
  topic: string;
  message: ProduceMessage;
  bytes: number;
  origin: string;
}

/**
 * Writes failed records to `<topic>.dlq` (or a configured topic): the original key, value and headers,
 * plus the reason in bounded `samsa.dlq.*` headers. A dead-letter topic samsa creates is shaped like the
 * source topic (see `deadLetterTopicOptions`); one that exists is left as it is.
 */
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

  /**
   * Writes the letters in order. Throws `DeadLetterWriteError` (cause: the client's error) saying
   * whether Kafka was unreachable (write them again later) or refused them for good; letters of
   * earlier sends may then have been written already, so writing all again may repeat them.
   */
  async send(letters: DeadLetter[], configured?: string): Promise<void> {
    const time = new Date();
    const prepared = letters.map((letter) => this.prepare(letter, configured, time));
    const sources = new Map(prepared.map((letter, index) => [letter.topic, letters[index].record.topic]));
    // Traced as one send (an event per letter): a batch's letters come from one partition, so one topic.
    await traceDeadLetters([...sources.keys()].join(', '), letters, async () => {
      for (const [topic, source] of sources) await this.ensureTopic(topic, source, prepared);
      for (const chunk of chunks(prepared)) {
        try {
          await this.producer.send(requestsOf(chunk));
        } catch (error) {
          throw new DeadLetterWriteError(targetOf(chunk), error);
        }
      }
    });
  }

  private prepare(letter: DeadLetter, configured: string | undefined, time: Date): Letter {
    const { record } = letter;
    const headers = deadLetterHeaders(letter, time);
    return {
      topic: this.topicFor(record.topic, configured),
      message: { key: record.key, value: record.value, headers },
      bytes: byteLength(record.key) + byteLength(record.value) + headersLength(headers),
      origin: `${record.topic}[${record.partition}]@${record.offset}`,
    };
  }

  private async ensureTopic(topic: string, source: string, letters: Letter[]): Promise<void> {
    try {
      await this.topics.ensure(topic, () => deadLetterTopicOptions(this.topics, source));
    } catch (error) {
      throw new DeadLetterWriteError(targetOf(letters.filter((letter) => letter.topic === topic)), error);
    }
  }
}

/** Consecutive letters, each run within `DEAD_LETTER_SEND_BYTES` or a single letter. */
function* chunks(letters: Letter[]): Generator<Letter[]> {
  let chunk: Letter[] = [];
  let bytes = 0;
  for (const letter of letters) {
    if (chunk.length > 0 && bytes + letter.bytes > DEAD_LETTER_SEND_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(letter);
    bytes += letter.bytes;
  }
  if (chunk.length > 0) yield chunk;
}

function requestsOf(chunk: Letter[]) {
  const byTopic = new Map<string, ProduceMessage[]>();
  for (const { topic, message } of chunk) {
    const messages = byTopic.get(topic);
    if (messages) messages.push(message);
    else byTopic.set(topic, [message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function targetOf(chunk: Letter[]) {
  return {
    topic: [...new Set(chunk.map((letter) => letter.topic))].join(', '),
    records: chunk.map((letter) => letter.origin),
    largestBytes: Math.max(0, ...chunk.map((letter) => letter.bytes)),
  };
}

function headersLength(headers: RecordHeaders): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    bytes += Buffer.byteLength(name);
    for (const part of [value].flat()) bytes += byteLength(part);
  }
  return bytes;
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
