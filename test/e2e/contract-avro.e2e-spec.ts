// Avro interop both ways with a client samsa did not write: Python's `avro` package (Debian python3-avro) over
// confluent_kafka, using only the Avro schemas samsa published to `__schema__<Id>` (key `avro:<version>`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Controller, Injectable, Module, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Schema } from '@samsa/schema';
import {
  DEAD_LETTER_HEADERS,
  StreamContext,
  StreamHandler,
  StreamPublisher,
  StreamStoreModule,
} from '@samsa/stream-store';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsDate,
  IsDecimal,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Min,
  ValidateNested,
} from 'class-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroField, IsBigInt } from '@samsa/schema';
import { consumeAll, createTopic, kafkaBrokers, uniqueName, waitFor } from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./fixtures/avro/avro_interop.py', import.meta.url));
const hasPythonAvro = spawnSync(PYTHON, ['-c', 'import avro, confluent_kafka']).status === 0;
// Without the tools a developer's run skips with this reason; under CI the tests run, and fail.
const skipReason =
  hasPythonAvro || process.env.CI ? undefined : `${PYTHON} lacks the avro or confluent_kafka module`;

const DECIMAL = { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } as const;
const PAYMENT_CONFLUENT_ID = 100_000 + Math.floor(Math.random() * 1_000_000);

class OrderLine {
  @IsString() sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

@Schema('AvroOrder', { codec: 'avro' })
class AvroOrder {
  @IsBigInt() id!: bigint;
  @IsDecimal() @AvroField(DECIMAL) total!: string;
  @IsDate() @Type(() => Date) placedAt!: Date;
  @IsOptional() @IsString() note?: string | null;
  @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => OrderLine) lines!: OrderLine[];
}

@Schema('AvroPayment', { codec: 'avro', confluentId: PAYMENT_CONFLUENT_ID })
class AvroPayment {
  @IsBigInt() id!: bigint;
  @IsString() @Length(3, 3) currency!: string;
  @IsDecimal() @AvroField(DECIMAL) amount!: string;
}

@Injectable()
class Received {
  readonly orders: Array<{ order: AvroOrder; schema?: string }> = [];
  readonly payments: Array<{ payment: AvroPayment; schema?: string }> = [];
}

@Controller()
class AvroHandlers {
  constructor(private readonly received: Received) {}

  @StreamHandler('orders.in')
  order(@Payload() order: AvroOrder, @Ctx() ctx: StreamContext) {
    this.received.orders.push({ order, schema: ctx.schema });
  }

  // The sink writes the returned payment as Avro, Confluent-framed like its input.
  @StreamHandler('payments.in', { sink: 'payments.out' })
  payment(@Payload() payment: AvroPayment, @Ctx() ctx: StreamContext): AvroPayment {
    this.received.payments.push({ payment, schema: ctx.schema });
    return Object.assign(new AvroPayment(), payment);
  }
}

const prefix = `${uniqueName('avro')}.`;
const brokers = () => kafkaBrokers().join(',');
const schemaTopic = (id: string) => `${prefix}__schema__${id}`;

function python(args: string[]): string {
  const result = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', timeout: 90_000 });
  if (result.status !== 0)
    throw new Error(`avro_interop.py ${args[0]} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

interface PythonRecord {
  headers: Record<string, string>;
  framed: number | null;
  value: Record<string, unknown>;
}
const pythonRead = (id: string, topic: string, count: number, framed = false): PythonRecord[] =>
  python([
    'consume',
    brokers(),
    schemaTopic(id),
    '1',
    `${prefix}${topic}`,
    String(count),
    ...(framed ? ['framed'] : []),
  ])
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as PythonRecord);

describe.skipIf(skipReason !== undefined)(
  `Avro contract with Python${skipReason ? ` (${skipReason})` : ''}`,
  () => {
    let app: INestApplication;
    let received: Received;

    beforeAll(async () => {
      await Promise.all(['orders.in', 'payments.in'].map((topic) => createTopic(`${prefix}${topic}`, 1)));
      @Module({
        imports: [
          StreamStoreModule.forRoot({
            brokers: kafkaBrokers(),
            clientId: uniqueName('avro'),
            appId: uniqueName('avro-app'),
            topicPrefix: prefix,
          }),
        ],
        controllers: [AvroHandlers],
        providers: [Received],
      })
      class AvroModule {}
      app = await startStreamApp(AvroModule);
      received = app.get(Received);
    }, 90_000);

    afterAll(() => app?.close());

    it('handles Python-encoded Avro, plain and Confluent-framed: exact bigint, Date and decimal; an invalid order dead-lettered with the reason', async () => {
      const order = {
        id: String(2n ** 53n + 1n),
        total: '1234567890.25',
        placedAt: 1_714_557_600_123,
        note: null,
        lines: [{ sku: 'A-1', quantity: 2 }],
      };
      const invalid = { ...order, id: '7', lines: [{ sku: 'B-2', quantity: 0 }] };
      python([
        'produce',
        brokers(),
        schemaTopic('AvroOrder'),
        '1',
        `${prefix}orders.in`,
        '-',
        JSON.stringify([order, invalid]),
      ]);
      const payment = { id: String(-(2n ** 63n)), currency: 'EUR', amount: '-0.05' };
      python([
        'produce',
        brokers(),
        schemaTopic('AvroPayment'),
        '1',
        `${prefix}payments.in`,
        String(PAYMENT_CONFLUENT_ID),
        JSON.stringify([payment]),
      ]);

      await waitFor(() => received.orders.length >= 1 && received.payments.length >= 1, {
        timeoutMs: 45_000,
        message: 'the Python records handled',
      });
      const [{ order: handled, schema }] = received.orders;
      expect(handled).toBeInstanceOf(AvroOrder);
      expect(handled.lines[0]).toBeInstanceOf(OrderLine);
      expect(handled).toEqual({
        id: 9_007_199_254_740_993n,
        total: '1234567890.25',
        placedAt: new Date('2024-05-01T10:00:00.123Z'),
        note: null,
        lines: [{ sku: 'A-1', quantity: 2 }],
      });
      expect(schema).toBe('AvroOrder:1');
      expect(received.payments).toEqual([
        {
          payment: { id: -9_223_372_036_854_775_808n, currency: 'EUR', amount: '-0.05' },
          schema: 'AvroPayment:1',
        },
      ]);

      // The dead-letter topic is created with the first letter: read it once the broker serves it.
      const [letter] = await waitFor(() => consumeAll(`${prefix}orders.in.dlq`, 1, { timeoutMs: 15_000 }), {
        timeoutMs: 45_000,
        message: 'the dead letter',
      });
      expect(String(letter.headers[DEAD_LETTER_HEADERS.errorClass])).toBe('MessageValidationError');
      expect(String(letter.headers[DEAD_LETTER_HEADERS.errorMessage])).toMatch(
        /lines\[0\]\.quantity: quantity must not be less than 1/,
      );
      expect(received.orders).toHaveLength(1);
    }, 120_000);

    it('writes Avro that Python decodes with the schema samsa published: publish() plain, a sink Confluent-framed', async () => {
      const order = Object.assign(new AvroOrder(), {
        id: -(2n ** 62n) - 3n,
        total: '-0.10',
        placedAt: new Date('1999-12-31T23:59:59.999Z'),
        note: 'leave at the door',
        lines: [Object.assign(new OrderLine(), { sku: 'Z-9', quantity: 12 })],
      });
      await app.get(StreamPublisher).publish('orders.out', order);
      const [published] = pythonRead('AvroOrder', 'orders.out', 1);
      // The headers say it is Avro and which version wrote it: a newer reader resolves it.
      expect(published.headers).toMatchObject({
        'content-type': 'avro/binary',
        'samsa.schema': 'AvroOrder:1',
      });
      expect(published.value).toEqual({
        id: String(-(2n ** 62n) - 3n),
        total: '-0.10',
        placedAt: Date.parse('1999-12-31T23:59:59.999Z'),
        note: 'leave at the door',
        lines: [{ sku: 'Z-9', quantity: '12' }],
      });

      // The payment handled in the first test went to the sink.
      const [sunk] = pythonRead('AvroPayment', 'payments.out', 1, true);
      expect(sunk.framed).toBe(PAYMENT_CONFLUENT_ID);
      expect(sunk.value).toEqual({ id: String(-(2n ** 63n)), currency: 'EUR', amount: '-0.05' });
    }, 120_000);
  },
);
