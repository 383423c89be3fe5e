// Case 7: publishing N events to a fresh 3-partition topic, keyed, acks=all.
//   samsa-publish  StreamPublisher.publish() awaited one by one
//   samsa-batch    publisher.batch(): append() all (awaiting it past maxQueuedBytes, yielding after
//                  each batch's worth), then flush()
//   raw-send       kafkajs producer.send() of the same batch size, awaited one after the other, with
//                  the producer samsa builds (idempotent, one request in flight)
//   nest-emit      ClientKafka.emit() awaited one by one, Nest's defaults
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientKafka } from '@nestjs/microservices';
import { StreamPublisher, StreamStoreModule } from '@samsa/stream-store';
import { logLevel, Partitioners, type Message } from 'kafkajs';
import { setImmediate as yieldNow } from 'node:timers/promises';
import { lastValueFrom } from 'rxjs';
import { BENCH_SCHEMA, benchEvent } from '../support/bench-event.js';
import { runCase, Window, type CaseParams } from '../support/case.js';
import { createTopics, kafka } from '../support/kafka.js';

interface Params extends CaseParams {
  mode: 'samsa-publish' | 'samsa-batch' | 'raw-send' | 'nest-emit';
  /** Messages per produce request in the batched modes (samsa's default publish batch). */
  batchSize: number;
}

/** One way of publishing, connected and warmed up (a first message sent) before timing. */
interface Sender {
  send(seq: number): Promise<void> | void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

async function samsaSender(params: Params, topic: string): Promise<Sender> {
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: params.brokers,
        topicPrefix: params.prefix,
        registerSchemas: false,
      }),
    ],
  })
  class PublisherModule {}
  const app = await NestFactory.createApplicationContext(PublisherModule, { logger: ['error', 'warn'] });
  const publisher = app.get(StreamPublisher);
  await publisher.publishRaw(topic, 'warm-up');
  const close = () => app.close();
  if (params.mode === 'samsa-publish') {
    return {
      send: async (seq) => {
        const event = benchEvent(seq, params.messageBytes);
        await publisher.publish(topic, event, { key: event.key });
      },
      flush: async () => undefined,
      close,
    };
  }
  const batch = publisher.batch({ maxMessages: params.batchSize });
  return {
    send: (seq) => {
      const event = benchEvent(seq, params.messageBytes);
      // A promise past maxQueuedBytes (backpressure); otherwise yield now and then to let sends run.
      const room = batch.append(topic, event, { key: event.key });
      if (room) return room;
      if ((seq + 1) % params.batchSize === 0) return yieldNow().then(() => undefined);
    },
    flush: () => batch.flush(),
    close,
  };
}

async function rawSender(params: Params, topic: string): Promise<Sender> {
  const producer = kafka(params.brokers).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  await producer.send({ topic, messages: [{ value: 'warm-up' }] });
  let buffer: Message[] = [];
  const sendBuffer = async () => {
    const messages = buffer;
    buffer = [];
    if (messages.length > 0) await producer.send({ topic, messages, acks: -1 });
  };
  return {
    send: (seq) => {
      const event = benchEvent(seq, params.messageBytes);
      buffer.push({ key: event.key, value: JSON.stringify({ schema: BENCH_SCHEMA, data: event }) });
      if (buffer.length >= params.batchSize) return sendBuffer();
    },
    flush: sendBuffer,
    close: () => producer.disconnect(),
  };
}

async function nestSender(params: Params, topic: string): Promise<Sender> {
  const client = new ClientKafka({
    client: { brokers: params.brokers.split(','), logLevel: logLevel.NOTHING },
    producer: { createPartitioner: Partitioners.DefaultPartitioner },
    producerOnlyMode: true,
  });
  await client.connect();
  await lastValueFrom(client.emit(topic, 'warm-up'));
  return {
    send: async (seq) => {
      const event = benchEvent(seq, params.messageBytes);
      await lastValueFrom(
        client.emit(topic, { key: event.key, value: { schema: BENCH_SCHEMA, data: event } }),
      );
    },
    flush: async () => undefined,
    close: () => client.close(),
  };
}

let topics = 0;
await runCase<Params>(async (params) => {
  const name = `publish-${params.mode}-${topics++}`;
  await createTopics(params.brokers, [params.prefix + name], 3);
  const sender = params.mode.startsWith('samsa')
    ? await samsaSender(params, name)
    : await (params.mode === 'raw-send' ? rawSender : nestSender)(params, params.prefix + name);
  try {
    const window = new Window(params.messages, params.messageBytes);
    window.open();
    for (let seq = 0; seq < params.messages; seq++) {
      await sender.send(seq);
      window.hit();
    }
    await sender.flush();
    return window.close();
  } finally {
    await sender.close();
  }
});
