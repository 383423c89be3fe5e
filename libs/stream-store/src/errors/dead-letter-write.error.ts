import { classifyFailure } from './failure-kind.js';
import { StreamStoreError } from './stream-store.error.js';

/** Where the dead letters that could not be written came from, and where they were going. */
export interface DeadLetterTarget {
  /** The dead-letter topic. */
  readonly topic: string;
  /** `topic[partition]@offset` of each record, in order. */
  readonly records: readonly string[];
  /** The size of the largest dead letter (key, value and headers), in bytes. */
  readonly largestBytes: number;
}

/**
 * Dead letters could not be written. `failureKind` says what the consume loop should do:
 * - `infrastructure`: Kafka is unreachable (or timed out): wait and write them again;
 * - `refused`: the dead-letter topic refuses them for good (e.g. a record larger than its
 *   `max.message.bytes`), or the client cannot encode them: writing again cannot help, so the
 *   partition stops until an operator acts.
 * The client's error is the `cause`.
 */
export class DeadLetterWriteError extends StreamStoreError {
  readonly failureKind: 'infrastructure' | 'refused';

  constructor(
    readonly target: DeadLetterTarget,
    cause: unknown,
  ) {
    const verdict = classifyFailure(cause);
    const kind = verdict === 'infrastructure' ? 'infrastructure' : 'refused';
    super(
      `Could not write ${describeRecords(target.records)} to dead-letter topic ${target.topic}: ${reason(cause)}. ` +
        (verdict === 'infrastructure'
          ? 'Kafka is unreachable; they are written again once it answers.'
          : verdict === 'refused'
            ? `The topic refuses them for good (largest: ${target.largestBytes} bytes). Raise its max.message.bytes ` +
              `(kafka-configs --alter --entity-type topics --entity-name ${target.topic} --add-config max.message.bytes=<bytes>), ` +
              'or configure another deadLetter topic, then restart the application: the partition resumes at this record.'
            : // Not Kafka's refusal (e.g. the client could not encode them): the advice would mislead.
              'Writing them again cannot help; the partition stops here until the cause is fixed and the application restarted.'),
      { cause, retriable: kind === 'infrastructure' },
    );
    this.failureKind = kind;
  }
}

function describeRecords(records: readonly string[]): string {
  if (records.length === 1) return `the dead letter of ${records[0]}`;
  return `${records.length} dead letters (${records[0]} to ${records[records.length - 1]})`;
}

function reason(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
