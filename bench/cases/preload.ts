// Not measured: creates and fills the topics the consume cases read.
import { benchEnvelope, keyOf } from '../support/bench-event.js';
import { createTopics, produceAll } from '../support/kafka.js';
import { runCase, type CaseParams } from '../support/case.js';

interface Params extends CaseParams {
  /** topic → [messages, value bytes] */
  topics: Record<string, [number, number]>;
  /** A changelog-like topic: every key once. */
  keyed: { topic: string; keys: number; bytes: number };
  partitions: number;
}

await runCase<Params>(async (params) => {
  const started = performance.now();
  await createTopics(params.brokers, [...Object.keys(params.topics), params.keyed.topic], params.partitions);
  let messages = 0;
  for (const [topic, [count, bytes]] of Object.entries(params.topics)) {
    await produceAll(params.brokers, topic, count, (i) => ({
      key: keyOf(i),
      value: benchEnvelope(i, bytes),
    }));
    messages += count;
  }
  const { topic, keys, bytes } = params.keyed;
  await produceAll(params.brokers, topic, keys, (i) => ({ key: `key-${i}`, value: benchEnvelope(i, bytes) }));
  messages += keys;
  return { messages, bytes: 0, seconds: (performance.now() - started) / 1000, cpuSeconds: 0 };
});
