import { Controller, Injectable, Module, type INestApplication } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { encodeEnvelope } from '@samsa/schema';
import { StreamHandler, StreamStoreModule } from '@samsa/stream-store';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaConnections } from '../../libs/stream-store/src/kafka/kafka-connections.js';
import { startKafka, type RunningKafka } from '../../scripts/kafka/broker.mjs';
import { uniqueName, waitFor } from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';
import { ContentMessage } from './fixtures/content.message.js';

const { Kafka, logLevel, Partitioners } = kafkajs;

/** The bound KafkaConnections.reachability() documents for turning unreachable (and back). */
const REACHABILITY_BOUND_MS = 30_000;
const OUTAGE_MS = 15_000;

@Injectable()
class Handled {
  readonly seqs: number[] = [];
}

// This spec stops its broker: it starts its OWN one, never the shared test broker.
describe('a broker outage', () => {
  let kafka: RunningKafka;
  let app: INestApplication | undefined;
  beforeAll(async () => {
    kafka = await startKafka();
  });
  afterAll(async () => {
    await app?.close();
    await kafka?.stop();
  });

  it('turns reachability false within the bound, true after the restart, and loses or dead-letters no record', async () => {
    const prefix = `${uniqueName('outage')}.`;
    const topic = `${prefix}content`;
    const client = new Kafka({
      clientId: uniqueName('outage-test'),
      brokers: [kafka.brokers],
      logLevel: logLevel.NOTHING,
    });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const produce = async (seqs: number[]) => {
      const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({
        topic,
        messages: seqs.map((seq) => ({
          key: String(seq),
          value: encodeEnvelope('Content:1', { foo: 'x', seq }),
        })),
      });
      await producer.disconnect();
    };

    @Controller()
    class OutageController {
      constructor(private readonly handled: Handled) {}
      @StreamHandler('content')
      on(@Payload() message: ContentMessage) {
        this.handled.seqs.push(message.seq ?? -1);
      }
    }
    @Module({
      imports: [
        StreamStoreModule.forRoot({
          brokers: [kafka.brokers],
          clientId: uniqueName('outage-app'),
          topicPrefix: prefix,
          subscriptionRefreshMs: 1000,
        }),
      ],
      controllers: [OutageController],
      providers: [Handled],
    })
    class OutageModule {}
    app = await startStreamApp(OutageModule);
    const handled = app.get(Handled);
    const connections = app.get(KafkaConnections);

    await produce(range(0, 20));
    await waitFor(() => handled.seqs.length >= 20, {
      timeoutMs: 30_000,
      message: '20 records before the outage',
    });
    expect(connections.reachability()).toEqual({ reachable: true });

    const stoppedAt = Date.now();
    await kafka.pause();
    const down = await waitFor(
      () => {
        const state = connections.reachability();
        return state.reachable ? undefined : state;
      },
      {
        timeoutMs: REACHABILITY_BOUND_MS,
        intervalMs: 250,
        message: 'reachability() false after the broker stopped',
      },
    );
    const unreachableAfterMs = Date.now() - stoppedAt;
    expect(down?.reason).toMatch(/No Kafka broker answered/);
    expect(down?.since).toBeLessThanOrEqual(Date.now());
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - unreachableAfterMs)));
    // Still down while the broker is: no flapping back.
    expect(connections.reachability().reachable).toBe(false);

    await kafka.resume();
    const startedAt = Date.now();
    await waitFor(() => connections.reachability().reachable, {
      timeoutMs: REACHABILITY_BOUND_MS,
      intervalMs: 250,
      message: 'reachability() true after the broker restarted',
    });
    const reachableAfterMs = Date.now() - startedAt;
    console.log(
      `[broker-outage] unreachable ${unreachableAfterMs} ms after the stop; reachable ${reachableAfterMs} ms after the restarted broker answered`,
    );

    await produce(range(20, 40));
    await waitFor(() => new Set(handled.seqs).size >= 40, {
      timeoutMs: 60_000,
      message: `all 40 records handled after the outage (have ${new Set(handled.seqs).size})`,
    });
    expect([...new Set(handled.seqs)].sort((a, b) => a - b)).toEqual(range(0, 40));
    const check = client.admin();
    await check.connect();
    const topics = await check.listTopics();
    await check.disconnect();
    expect(topics.filter((name) => name.endsWith('.dlq'))).toEqual([]);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
