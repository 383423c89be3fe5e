// Case 9: end-to-end latency at a fixed rate: a producer in this process sends `rate` msg/s
// (a request every 10 ms) stamped with performance.now(); the handler records now − stamp.
//   samsa  the validating @StreamHandler of case 2
//   raw    a kafkajs eachMessage consumer that parses the value to read the stamp
import { Controller, Inject, Module, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { startStreamWorker, StreamHandler, StreamStoreModule } from '@samsa/stream-store';
import { Partitioners } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchEvent, benchEnvelope, keyOf } from '../support/bench-event.js';
import { runCase, uniqueId, Window, within, type CaseParams } from '../support/case.js';
import { createTopics, FETCH_MAX_WAIT_MS, kafka } from '../support/kafka.js';

interface Params extends CaseParams {
  mode: 'samsa' | 'raw';
  /** Messages per second. */
  rate: number;
}

const TICK_MS = 10;

/** Collects latencies once the warm-up message went through. */
class Latencies {
  readonly samples: number[] = [];
  constructor(readonly window: Window) {}
  record(sentAt: number): void {
    if (sentAt > 0) this.samples.push(performance.now() - sentAt);
    this.window.hit();
  }
  percentile(p: number): number {
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  }
}

function benchModule(params: Params, topic: string, latencies: Latencies): Type {
  @Controller()
  class Timed {
    constructor(@Inject(Latencies) private readonly latencies: Latencies) {}

    @StreamHandler(topic)
    on(@Payload() event: BenchEvent): void {
      this.latencies.record(event.sentAt);
    }
  }
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: params.brokers,
        appId: uniqueId('latency'),
        topicPrefix: params.prefix,
        consumer: { maxWaitTimeInMs: FETCH_MAX_WAIT_MS },
      }),
    ],
    controllers: [Timed],
    providers: [{ provide: Latencies, useValue: latencies }],
  })
  class LatencyModule {}
  return LatencyModule;
}

/** Starts the consumer under test; resolves with how to stop it. */
async function startConsumer(
  params: Params,
  topic: string,
  latencies: Latencies,
): Promise<() => Promise<void>> {
  if (params.mode === 'samsa') {
    const app = await startStreamWorker(benchModule(params, topic, latencies), {
      logger: ['error', 'warn'],
      signals: false,
    });
    return () => app.close();
  }
  const consumer = kafka(params.brokers).consumer({
    groupId: uniqueId('raw-latency'),
    maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: params.prefix + topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const { data } = JSON.parse(String(message.value)) as { data: BenchEvent };
      latencies.record(data.sentAt);
    },
  });
  return () => consumer.disconnect();
}

let topics = 0;
await runCase<Params>(async (params) => {
  const topic = `latency-${params.mode}-${topics++}`;
  await createTopics(params.brokers, [params.prefix + topic], 3);
  // One warm-up message (sentAt 0: not a sample) proves the consumer is assigned before timing.
  const window = new Window(1 + params.messages, params.messageBytes);
  const latencies = new Latencies(window);
  const stop = await startConsumer(params, topic, latencies);
  const producer = kafka(params.brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const send = (seq: number, count: number) =>
      producer.send({
        topic: params.prefix + topic,
        messages: Array.from({ length: count }, (_, i) => ({
          key: keyOf(seq + i),
          value: benchEnvelope(seq + i, params.messageBytes, seq + i === 0 ? 0 : performance.now()),
        })),
      });
    await send(0, 1);
    await within(
      (async () => {
        while (window.handled === 0) await sleep(5);
      })(),
      params.timeoutMs,
      () => 'warm-up message not handled',
    );
    const perTick = (params.rate * TICK_MS) / 1000;
    const started = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let seq = 1; seq <= params.messages; seq += perTick) {
      const due = started + ((seq - 1) / perTick) * TICK_MS;
      await sleep(Math.max(0, due - performance.now()));
      sends.push(send(seq, Math.min(perTick, params.messages + 1 - seq)));
    }
    await Promise.all(sends);
    await within(window.reached, params.timeoutMs, () => `${window.handled - 1}/${params.messages} handled`);
    return window.close({ p50Ms: latencies.percentile(50), p99Ms: latencies.percentile(99) });
  } finally {
    await producer.disconnect();
    await stop();
  }
});
