import { Controller, Injectable, Module, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { Schema } from '@samsa/schema';
import {
  InjectStore,
  StreamContext,
  StreamHandler,
  StreamPublisher,
  StreamStoreModule,
  type StateStore,
} from '@samsa/stream-store';
import { IsBoolean, IsInt, IsString } from 'class-validator';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeAll, createTopic, kafkaBrokers, uniqueName, waitFor } from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';

@Schema('TelemetryOrder', { version: 1 })
class Order {
  @IsString() id!: string;
  @IsBoolean() fail!: boolean;
}

@Schema('TelemetryOrderCounted', { version: 1 })
class OrderCounted {
  @IsString() id!: string;
  @IsInt() count!: number;
}

@Schema('TelemetryOrderAudit', { version: 1 })
class OrderAudit {
  @IsString() id!: string;
}

const order = (id: string, fail = false) => Object.assign(new Order(), { id, fail });

@Injectable()
class Seen {
  readonly outputs: Array<{ topic: string; id: string }> = [];
}

const prefix = `${uniqueName('otel')}.`;
const group = `${prefix}orders`;

@Controller()
class OrdersController {
  constructor(@InjectStore('otel_counts') private readonly counts: StateStore<number>) {}

  /** Counts orders in a store, audits them with ctx.publish and returns the count to its sink. */
  @StreamHandler('orders', { sink: 'orders.counted', group, retry: { attempts: 1 } })
  async onOrder(@Payload() message: Order, @Ctx() ctx: StreamContext): Promise<OrderCounted> {
    if (message.fail) throw new Error(`order ${message.id} refused`);
    const count = (await this.counts.update(message.id, (n) => (n ?? 0) + 1)) ?? 0;
    ctx.publish('orders.audit', Object.assign(new OrderAudit(), { id: message.id }));
    return Object.assign(new OrderCounted(), { id: message.id, count });
  }
}

@Controller()
class OutputsController {
  constructor(private readonly seen: Seen) {}

  @StreamHandler('orders.audit', { group: `${prefix}audit` })
  onAudit(@Payload() message: OrderAudit, @Ctx() ctx: StreamContext): void {
    this.seen.outputs.push({ topic: ctx.topic, id: message.id });
  }

  @StreamHandler('orders.counted', { group: `${prefix}counted` })
  onCounted(@Payload() message: OrderCounted, @Ctx() ctx: StreamContext): void {
    this.seen.outputs.push({ topic: ctx.topic, id: message.id });
  }
}

@Module({
  imports: [
    StreamStoreModule.forRoot({
      brokers: kafkaBrokers(),
      clientId: uniqueName('otel-app'),
      topicPrefix: prefix,
      subscriptionRefreshMs: 1000,
      topics: { partitions: 1, replicationFactor: 1 },
      store: { type: 'sqlite', database: join(mkdtempSync(join(tmpdir(), 'samsa-otel-')), 'state.sqlite') },
    }),
    StreamStoreModule.forFeature(['otel_counts']),
  ],
  controllers: [OrdersController, OutputsController],
  providers: [Seen],
})
class TelemetryTestModule {}

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let app: INestApplication;

beforeAll(async () => {
  // What an application's OpenTelemetry SDK setup does; samsa only uses the API's globals.
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncHooksContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  // The outputs' topics exist before their consumer joins, so it reads them from the start.
  for (const topic of ['orders', 'orders.audit', 'orders.counted']) await createTopic(`${prefix}${topic}`);
  app = await startStreamApp(TelemetryTestModule);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const spans = () => exporter.getFinishedSpans();
const named = (name: string, where: (span: ReadableSpan) => boolean = () => true) =>
  spans().find((span) => span.name === name && where(span));
/** Waits for a finished span named `name` (and matching `where`). */
async function finished(
  name: string,
  where: (span: ReadableSpan) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<ReadableSpan> {
  const span = await waitFor(() => named(name, where), { timeoutMs, message: `a finished span "${name}"` });
  if (!span) throw new Error(`no span ${name}`);
  return span;
}
const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId;
const id = (span: ReadableSpan) => span.spanContext().spanId;
const inTrace = (traceId: string) => (span: ReadableSpan) => span.spanContext().traceId === traceId;

describe('OpenTelemetry over the real broker', () => {
  it('carries the trace from publish through the handler to ctx.publish, the sink and the flush', async () => {
    await app.get(StreamPublisher).publish('orders', order('o1'), { key: 'o1' });
    const send = await finished(`send ${prefix}orders`);
    const { traceId } = send.spanContext();
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': `${prefix}orders`,
      'messaging.destination.partition.id': '0',
      'messaging.kafka.offset': 0,
    });

    // The W3C trace context travels in the record's headers.
    const [record] = await consumeAll(`${prefix}orders`, 1);
    expect(String(record.headers.traceparent)).toBe(`00-${traceId}-${id(send)}-01`);

    const flush = await finished(`samsa.flush ${group}`);
    const process = await finished(`process ${prefix}orders`, inTrace(traceId));
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(process)).toBe(id(send));
    expect(process.links.map((link) => link.context.spanId)).toEqual([id(send)]);
    expect(process.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': `${prefix}orders`,
      'messaging.destination.partition.id': '0',
      'messaging.kafka.offset': 0,
      'messaging.consumer.group.name': group,
      'samsa.handler': 'OrdersController.onOrder',
      'samsa.attempt': 1,
    });

    // The store flush links the handler spans of its batch.
    expect(flush.links.map((link) => link.context.spanId)).toContain(id(process));
    expect(flush.attributes).toMatchObject({
      'samsa.store.names': ['otel_counts'],
      'samsa.store.writes': 1,
      'samsa.outputs': 2,
    });

    // ctx.publish and the sink each create their record inside the handler's span, and their
    // consumers continue the same trace.
    await waitFor(() => app.get(Seen).outputs.length >= 2, { timeoutMs: 30_000, message: 'both outputs' });
    for (const [output, consumer] of [
      ['orders.audit', 'audit'],
      ['orders.counted', 'counted'],
    ]) {
      const created = await finished(`create ${prefix}${output}`, inTrace(traceId));
      expect(parentOf(created)).toBe(id(process));
      const consumed = await finished(`process ${prefix}${output}`, inTrace(traceId));
      expect(parentOf(consumed)).toBe(id(created));
      expect(consumed.attributes['messaging.consumer.group.name']).toBe(`${prefix}${consumer}`);
    }
  }, 90_000);

  it('writes a dead letter inside a span of the failed record, with an event saying why', async () => {
    await app.get(StreamPublisher).publish('orders', order('bad', true), { key: 'bad' });
    const send = await finished(
      `send ${prefix}orders`,
      (span) => span.attributes['messaging.kafka.offset'] === 1,
    );
    const { traceId } = send.spanContext();
    const letter = await finished(`send ${prefix}orders.dlq`, inTrace(traceId));
    expect(letter.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(letter)).toBe(id(send));
    const [event] = letter.events;
    expect(event.name).toBe('samsa.dead_letter');
    expect(event.attributes).toMatchObject({
      'messaging.source.name': `${prefix}orders`,
      'messaging.kafka.offset': 1,
      'error.type': 'Error',
      'exception.message': 'order bad refused',
      'samsa.dlq.attempts': 1,
      'samsa.handler': 'OrdersController.onOrder',
    });
    // The failed attempt's span says it failed.
    const attempt = await finished(`process ${prefix}orders`, inTrace(traceId));
    expect(attempt.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempt.status.message).toBe('order bad refused');
    // The dead letter keeps the record's headers: its traceparent still names the producer.
    const [dead] = await consumeAll(`${prefix}orders.dlq`, 1);
    expect(String(dead.headers.traceparent)).toBe(`00-${traceId}-${id(send)}-01`);
  }, 90_000);
});
