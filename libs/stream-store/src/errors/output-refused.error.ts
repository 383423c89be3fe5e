import { StreamStoreError } from './stream-store.error.js';

/**
 * Kafka refused a committed output for good (e.g. larger than its topic's `max.message.bytes`): the
 * relay dead-lettered it to `<topic>.dlq` and went on with the others. The client's error is the `cause`.
 */
export class OutputRefusedError extends StreamStoreError {
  readonly failureKind = 'refused';

  constructor(
    readonly topic: string,
    readonly bytes: number,
    cause: unknown,
  ) {
    super(
      `Kafka refused an output of ${bytes} bytes to ${topic} for good (${cause instanceof Error ? cause.message : String(cause)}); ` +
        `it was dead-lettered. Raise max.message.bytes of ${topic} ` +
        `(kafka-configs --alter --entity-type topics --entity-name ${topic} --add-config max.message.bytes=<bytes>) ` +
        'or make the handler send smaller outputs, then replay the dead letter if it is still wanted.',
      { cause, retriable: false },
    );
  }
}
