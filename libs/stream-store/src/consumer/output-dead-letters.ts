import { OutputRefusedError } from '../errors/output-refused.error.js';
import type { TopicManager } from '../publisher/topic-manager.js';
import type { PendingOutput } from '../store/outbox-record.js';
import type { DeadLetterWriter } from './dead-letter.js';

/** Dead letters of outputs Kafka refused for good: key, value and headers as committed, the reason in `samsa.dlq.*`. */
export class OutputDeadLetters {
  constructor(
    private readonly writer: DeadLetterWriter,
    private readonly topics: Pick<TopicManager, 'ensure'>,
  ) {}

  /** Throws `DeadLetterWriteError` when the dead letter could not be written (the output then waits). */
  async write(pending: PendingOutput, partition: number | undefined, error: unknown): Promise<void> {
    const { output, source, committedAt } = pending;
    const bytes = (output.key?.length ?? 0) + (output.value?.length ?? 0);
    // Created with the broker's limits, not shaped like the output's topic: that topic's limit refused it.
    await this.topics.ensure(this.writer.topicFor(output.topic));
    await this.writer.send([
      {
        // Never written, so no offset; the handler header names the consumer group that committed it.
        record: {
          topic: output.topic,
          partition: partition ?? -1,
          offset: '-1',
          key: output.key,
          value: output.value,
          headers: { ...output.headers },
          timestamp: String(committedAt),
        },
        error: new OutputRefusedError(output.topic, bytes, error),
        attempts: 1,
        handler: source ? `${source.group} (${source.topic}[${source.partition}])` : 'outbox',
      },
    ]);
  }
}
