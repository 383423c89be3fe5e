import { DEFAULTS } from '../defaults.js';
import { classifyFailure } from '../errors/failure-kind.js';
import type { StreamProducer } from '../kafka/kafka-client.interface.js';
import type { PublishObserver } from '../publisher/publish-observer.js';
import type { TopicManager } from '../publisher/topic-manager.js';
import type { PendingOutput } from '../store/outbox-record.js';
import type { OutputDeadLetters } from './output-dead-letters.js';
import type { OutputLane, OutputLanes } from './output-lanes.js';

/** Produce requests of one lane stay under this many (stored) bytes: a topic bounds a whole record batch. */
const SEND_BYTES = DEFAULTS.publishBatch.maxBytes;

/** What one delivery did. */
export interface Delivery {
  /** Outputs produced or dead-lettered: they may leave the outbox. */
  readonly done: PendingOutput[];
  /** Of those, how many were dead-lettered, by topic. */
  readonly deadLettered: Map<string, number>;
  /** Topics whose outputs from the first failure on were not sent, with that failure: try them again later. */
  readonly failed: Map<string, unknown>;
}

/**
 * Produces outputs topic by topic, lane by lane (partition), in order. A send Kafka refuses for good is
 * taken apart one output at a time: those it accepts are produced, the one it refuses is dead-lettered. Any
 * other failure stops the topic there, so no output of it overtakes an earlier one.
 */
export class OutputSender {
  constructor(
    private readonly producer: StreamProducer,
    private readonly topics: Pick<TopicManager, 'ensure'>,
    private readonly lanes: OutputLanes,
    private readonly deadLetters: OutputDeadLetters,
    private readonly observer: PublishObserver,
  ) {}

  async deliver(outputs: readonly PendingOutput[]): Promise<Delivery> {
    const delivery: Delivery = { done: [], deadLettered: new Map(), failed: new Map() };
    const byTopic = new Map<string, PendingOutput[]>();
    for (const pending of outputs) {
      const list = byTopic.get(pending.output.topic);
      if (list) list.push(pending);
      else byTopic.set(pending.output.topic, [pending]);
    }
    await Promise.all([...byTopic].map(([topic, list]) => this.deliverTopic(topic, list, delivery)));
    return delivery;
  }

  private async deliverTopic(topic: string, outputs: PendingOutput[], delivery: Delivery): Promise<void> {
    let lanes: OutputLane[];
    try {
      await this.topics.ensure(topic, { config: { ...outputs[0].output.config } });
      lanes = await this.lanes.of(topic, outputs);
    } catch (error) {
      delivery.failed.set(topic, error);
      return;
    }
    await Promise.all(lanes.map((lane) => this.deliverLane(topic, lane, delivery)));
  }

  private async deliverLane(topic: string, lane: OutputLane, delivery: Delivery): Promise<void> {
    for (const chunk of chunks(lane.outputs)) {
      const error = await this.produce(topic, lane.partition, chunk);
      if (error === undefined) {
        delivery.done.push(...chunk);
        continue;
      }
      if (classifyFailure(error) !== 'refused') {
        delivery.failed.set(topic, error);
        return;
      }
      // Refused: a batch may be refused where each of its outputs fits; find the ones that do not.
      for (const pending of chunk) {
        const single = chunk.length === 1 ? error : await this.produce(topic, lane.partition, [pending]);
        if (single !== undefined) {
          if (classifyFailure(single) !== 'refused') {
            delivery.failed.set(topic, single);
            return;
          }
          try {
            await this.deadLetters.write(pending, lane.partition, single);
          } catch (deadLetterError) {
            delivery.failed.set(topic, deadLetterError);
            return;
          }
          delivery.deadLettered.set(topic, (delivery.deadLettered.get(topic) ?? 0) + 1);
        }
        delivery.done.push(pending);
      }
    }
  }

  /** Resolves with the failure, if any: a failure is an outcome here, not an exception. */
  private async produce(
    topic: string,
    partition: number | undefined,
    outputs: readonly PendingOutput[],
  ): Promise<unknown> {
    try {
      await this.producer.send([
        {
          topic,
          messages: outputs.map(({ output: { key, value, headers } }) =>
            partition === undefined ? { key, value, headers } : { key, value, headers, partition },
          ),
        },
      ]);
    } catch (error) {
      return error ?? new Error(`Producing to ${topic} failed without a reason`);
    }
    this.observer.published(topic, outputs.length);
    return undefined;
  }
}

/** Consecutive outputs within `SEND_BYTES` (a larger one goes alone). */
function* chunks(outputs: readonly PendingOutput[]): Generator<PendingOutput[]> {
  let chunk: PendingOutput[] = [];
  let bytes = 0;
  for (const pending of outputs) {
    if (chunk.length > 0 && bytes + pending.size > SEND_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(pending);
    bytes += pending.size;
  }
  if (chunk.length > 0) yield chunk;
}
