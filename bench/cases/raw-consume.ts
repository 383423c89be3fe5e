// Case 1 (and the raw side of case 8): a bare kafkajs consumer doing nothing — the client's ceiling.
import { FETCH_MAX_WAIT_MS, kafka } from '../support/kafka.js';
import { runCase, uniqueId, Window, within, type CaseParams } from '../support/case.js';

interface Params extends CaseParams {
  /** Without the run's prefix. */
  topic: string;
  mode: 'eachBatch' | 'eachMessage';
  /** Open the window when the group is joined (first fetch included), not at the first batch. */
  fromJoin?: boolean;
}

await runCase<Params>(async (params) => {
  const consumer = kafka(params.brokers).consumer({
    groupId: uniqueId('raw'),
    maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
  });
  const window = new Window(params.messages, params.messageBytes);
  let batches = 0;
  if (params.fromJoin) consumer.on(consumer.events.GROUP_JOIN, () => window.open());
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: params.prefix + params.topic, fromBeginning: true });
    await consumer.run(
      params.mode === 'eachBatch'
        ? {
            eachBatch: async ({ batch }) => {
              batches++;
              window.hit(batch.messages.length);
            },
          }
        : { eachMessage: async () => window.hit() },
    );
    await within(window.reached, params.timeoutMs, () => `${window.handled}/${params.messages} messages`);
    return window.close(params.mode === 'eachBatch' ? { messagesPerBatch: window.handled / batches } : {});
  } finally {
    await consumer.disconnect();
  }
});
