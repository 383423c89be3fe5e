import type { KafkaRecord, StreamAdmin, StreamReader } from '../kafka/kafka-client.interface.js';
import { CliFailureError } from './cli-failure.error.js';
import { viewDeadLetter } from './dead-letter-selection.js';
import type { ProgressStep } from './progress-reporter.js';

/** Dead letters that share an error class, a handler and the topic they failed on. */
export interface DeadLetterGroup {
  errorClass: string;
  handler: string;
  /** The topic they failed on (`samsa.dlq.topic`), or `(none)`. */
  topic: string;
  count: number;
  /** Earliest and latest `samsa.dlq.time` among them (ISO 8601), when the letters carry one. */
  first?: string;
  last?: string;
}

/** Adds letters to a census; `groups()` sorts it: most letters first, then by class and handler. */
export class DeadLetterCensus {
  private readonly byKey = new Map<string, DeadLetterGroup>();

  add(records: readonly KafkaRecord[]): void {
    for (const record of records) {
      const { errorClass, handler, originalTopic = '(none)', time } = viewDeadLetter(record);
      const key = JSON.stringify([errorClass, handler, originalTopic]);
      let group = this.byKey.get(key);
      if (!group) this.byKey.set(key, (group = { errorClass, handler, topic: originalTopic, count: 0 }));
      group.count++;
      if (time !== undefined) {
        if (group.first === undefined || time < group.first) group.first = time;
        if (group.last === undefined || time > group.last) group.last = time;
      }
    }
  }

  groups(): DeadLetterGroup[] {
    return [...this.byKey.values()].sort(
      (a, b) =>
        b.count - a.count ||
        a.errorClass.localeCompare(b.errorClass) ||
        a.handler.localeCompare(b.handler) ||
        a.topic.localeCompare(b.topic),
    );
  }
}

/** Reads the whole dead-letter topic (outside any group) into a census. */
export async function takeCensus(
  admin: StreamAdmin,
  reader: StreamReader,
  dlqTopic: string,
  onProgress?: (progress: ProgressStep) => void,
): Promise<DeadLetterGroup[]> {
  if (!(await admin.listTopics()).includes(dlqTopic)) {
    throw new CliFailureError(
      `The dead-letter topic ${dlqTopic} does not exist: check the name (with its prefix).`,
    );
  }
  const total = (await admin.fetchTopicOffsets(dlqTopic)).reduce(
    (sum, { low, high }) => sum + Math.max(0, Number(BigInt(high) - BigInt(low))),
    0,
  );
  const census = new DeadLetterCensus();
  let done = 0;
  onProgress?.({ step: 'dead letters', done, total });
  await reader.readToEnd(dlqTopic, {}, (records) => {
    census.add(records);
    done += records.length;
    onProgress?.({ step: 'dead letters', done, total });
  });
  return census.groups();
}
