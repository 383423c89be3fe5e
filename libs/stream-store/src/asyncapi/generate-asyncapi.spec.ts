import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { Controller, Module } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Schema, SchemaRegistry, toJsonSchema } from '@samsa/schema';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsString, ValidateNested } from 'class-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { StreamHandler } from '../decorators/stream-handler.decorator.js';
import { StreamStoreModule } from '../stream-store.module.js';
import { createStreamTestApp } from '../testing/stream-test-app.js';
import type { AsyncApiDocument } from './asyncapi-document.interface.js';
import { describeStreamModule } from './describe-stream-module.js';
import { generateAsyncApi } from './generate-asyncapi.js';

class Line {
  @IsString() sku!: string;
  @IsInt() quantity!: number;
}

@Schema('Order', { streams: ['orders.created'] })
class Order {
  @IsString() id!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Line) lines!: Line[];
}

@Schema('Shipment', { streams: ['shipments'] })
class Shipment {
  @IsString() orderId!: string;
}

@Schema('Refund')
class Refund {
  @IsString() orderId!: string;
}

@Controller()
class ShopController {
  @StreamHandler('orders.*', { sink: 'shipments' })
  ship(@Payload() order: Order) {
    return { orderId: order.id };
  }

  @StreamHandler(['refunds', 'audit.[ab]?'], { group: 'refunds-group' })
  refund(@Payload() refund: Refund) {
    return refund;
  }

  @StreamHandler('raw')
  raw(@Payload() bytes: Buffer) {
    return bytes;
  }
}

@Module({
  imports: [
    StreamStoreModule.forRoot({
      brokers: '127.0.0.1:1',
      appId: 'shop',
      topicPrefix: 'dev.',
      schemas: [Shipment],
    }),
  ],
  controllers: [ShopController],
})
class ShopModule {}

/** @asyncapi/parser loads its rulesets on first use: seconds on a loaded machine. */
const PARSER_TIMEOUT_MS = 30_000;

async function errorsOf(document: AsyncApiDocument): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(JSON.stringify(document));
  return diagnostics
    .filter(({ severity }) => severity === DiagnosticSeverity.Error)
    .map(({ code, message, path }) => `${code}: ${message} at ${path.join('/')}`);
}

describe('generateAsyncApi', () => {
  let document: AsyncApiDocument;
  beforeAll(async () => {
    document = generateAsyncApi(await describeStreamModule(ShopModule, { logger: false }));
  });

  it(
    'describes a module without Kafka, as a document @asyncapi/parser accepts',
    async () => {
      expect(await errorsOf(document)).toEqual([]);
      expect(document).toMatchObject({
        asyncapi: '3.0.0',
        info: { title: 'shop', version: '1.0.0' },
        servers: { kafka: { host: '127.0.0.1:1', protocol: 'kafka' } },
      });
    },
    PARSER_TIMEOUT_MS,
  );

  it('has a channel per pattern, sink and stream, addressed with the prefix', async () => {
    const { channels } = document;
    expect(Object.fromEntries(Object.entries(channels).map(([id, { address }]) => [id, address]))).toEqual({
      'orders.*': 'dev.orders.*',
      shipments: 'dev.shipments',
      refunds: 'dev.refunds',
      // `?` would read as a URL's query: the glob is kept aside, the address unknown.
      'audit._ab__': null,
      raw: 'dev.raw',
      'orders.created': 'dev.orders.created',
    });
    expect(channels['audit._ab__']['x-samsa-glob']).toBe('dev.audit.[ab]?');
    expect(channels.shipments.bindings).toEqual({
      kafka: { topic: 'dev.shipments', bindingVersion: '0.5.0' },
    });
    expect(channels['orders.*'].bindings).toBeUndefined();
  });

  it('receives on each pattern in the handler group, sends to sinks and streams', async () => {
    const { operations } = document;
    const summary = Object.fromEntries(
      Object.entries(operations).map(([id, operation]) => [
        id,
        {
          action: operation.action,
          channel: operation.channel.$ref,
          messages: operation.messages.map(({ $ref }) => $ref),
          group: operation.bindings?.kafka.groupId.enum,
        },
      ]),
    );
    expect(summary).toEqual({
      'ShopController.ship': {
        action: 'receive',
        channel: '#/channels/orders.*',
        messages: ['#/channels/orders.*/messages/Order_v1'],
        group: ['shop.ShopController.ship'],
      },
      'ShopController.ship.sink.shipments': {
        action: 'send',
        channel: '#/channels/shipments',
        messages: ['#/channels/shipments/messages/Shipment_v1'],
        group: undefined,
      },
      'ShopController.refund.1': {
        action: 'receive',
        channel: '#/channels/refunds',
        messages: ['#/channels/refunds/messages/Refund_v1'],
        group: ['refunds-group'],
      },
      'ShopController.refund.2': {
        action: 'receive',
        channel: '#/channels/audit._ab__',
        messages: ['#/channels/audit._ab__/messages/Refund_v1'],
        group: ['refunds-group'],
      },
      'ShopController.raw': {
        action: 'receive',
        channel: '#/channels/raw',
        messages: ['#/channels/raw/messages/Bytes'],
        group: ['shop.ShopController.raw'],
      },
      'publish.orders.created': {
        action: 'send',
        channel: '#/channels/orders.created',
        messages: ['#/channels/orders.created/messages/Order_v1'],
        group: undefined,
      },
      'publish.shipments': {
        action: 'send',
        channel: '#/channels/shipments',
        messages: ['#/channels/shipments/messages/Shipment_v1'],
        group: undefined,
      },
    });
  });

  it(
    "carries each schema's JSON Schema, its $defs references pointing into the document",
    async () => {
      const { $schema: _dialect, $id: _id, ...order } = toJsonSchema(Order);
      const line = { $ref: '#/components/schemas/Order_v1/$defs/Line' };
      expect(document.components.schemas.Order_v1).toEqual({
        ...order,
        properties: {
          id: { type: 'string' },
          // class-validator also walks nested arrays: their items are lines or arrays
          lines: { type: 'array', items: { anyOf: [line, { type: 'array' }] } },
        },
      });
      expect(document.components.messages.Order_v1).toMatchObject({
        name: 'Order:1',
        contentType: 'application/json',
        payload: {
          required: ['schema', 'data'],
          properties: { schema: { const: 'Order:1' }, data: { $ref: '#/components/schemas/Order_v1' } },
        },
      });
      const { document: parsed } = await new Parser().parse(JSON.stringify(document));
      const items = parsed?.components().schemas().get('Order_v1')?.properties()?.lines?.items();
      const parsedLine = items && !Array.isArray(items) ? items.anyOf()?.[0] : undefined;
      expect(Object.keys(parsedLine?.properties() ?? {})).toEqual(['quantity', 'sku']);
    },
    PARSER_TIMEOUT_MS,
  );

  it('takes a registry and handlers, never registering into the registry', () => {
    const registry = new SchemaRegistry().register(Shipment);
    const handler = {
      id: 'Jobs.run',
      patterns: ['jobs'],
      options: { schema: Order },
      parameterTypes: () => [],
    };
    const jobs = generateAsyncApi(
      { registry, handlers: [handler], options: { topicPrefix: 'x.' } },
      { title: 'Jobs', version: '2.1.0', brokers: ['a:9092', 'b:9092'] },
    );
    expect(registry.has(Order)).toBe(false);
    expect(jobs.info).toMatchObject({ title: 'Jobs', version: '2.1.0' });
    expect(Object.keys(jobs.servers ?? {})).toEqual(['kafka-1', 'kafka-2']);
    expect(jobs.channels.jobs.address).toBe('x.jobs');
    expect(Object.keys(jobs.components.schemas)).toEqual(['Order_v1', 'Shipment_v1']);
    expect(jobs.operations['Jobs.run'].bindings).toBeUndefined();
  });

  it('reads a running application through its StreamStoreServer', async () => {
    const { app, close } = await createStreamTestApp({
      controllers: [ShopController],
      options: { appId: 'shop', topicPrefix: 'dev.', schemas: [Shipment] },
    });
    try {
      const running = generateAsyncApi(app, { title: 'Shop' });
      expect(running.info.title).toBe('Shop');
      expect(running.operations).toEqual(document.operations);
      expect(running.channels).toEqual(document.channels);
    } finally {
      await close();
    }
  });
});

@Schema('Payment')
class Payment {
  @IsString() id!: string;
}

@Schema('PaymentAudited')
class PaymentAudited {
  @IsString() paymentId!: string;
}

@Schema('PaymentFlagged')
class PaymentFlagged {
  @IsString() paymentId!: string;
}

@Controller()
class AuditController {
  @StreamHandler('payments', {
    sink: { topic: 'payments.audited', schema: PaymentAudited },
    publishes: { topic: 'payments.flagged', schema: PaymentFlagged },
  })
  async audit(@Payload() payment: Payment): Promise<PaymentAudited> {
    return Promise.resolve({ paymentId: payment.id });
  }

  // Returned directly, so TypeScript emits the return type: the sink takes it as its schema.
  @StreamHandler('payments.retried', { sink: 'payments.audited.retries' })
  retried(@Payload() payment: Payment): PaymentAudited {
    return { paymentId: payment.id };
  }

  @StreamHandler('payments.untyped', { sink: 'payments.unknown' })
  untyped(@Payload() payment: Payment) {
    return { paymentId: payment.id };
  }
}

@Module({
  imports: [StreamStoreModule.forRoot({ brokers: '127.0.0.1:1', appId: 'audit' })],
  controllers: [AuditController],
})
class AuditModule {}

describe('generateAsyncApi: what handlers send', () => {
  let document: AsyncApiDocument;
  beforeAll(async () => {
    document = generateAsyncApi(await describeStreamModule(AuditModule, { logger: false }));
  });

  const messagesOf = (operation: string): string[] =>
    document.operations[operation].messages.map(({ $ref }) => $ref);

  it(
    'gives a sink channel the schema named by sink: { topic, schema }',
    async () => {
      expect(await errorsOf(document)).toEqual([]);
      expect(messagesOf('AuditController.audit.sink.payments.audited')).toEqual([
        '#/channels/payments.audited/messages/PaymentAudited_v1',
      ]);
      expect(document.channels['payments.audited'].messages).toEqual({
        PaymentAudited_v1: { $ref: '#/components/messages/PaymentAudited_v1' },
      });
    },
    PARSER_TIMEOUT_MS,
  );

  it('gives a sink channel the declared return type when TypeScript emits it', () => {
    expect(messagesOf('AuditController.retried.sink.payments.audited.retries')).toEqual([
      '#/channels/payments.audited.retries/messages/PaymentAudited_v1',
    ]);
    expect(messagesOf('AuditController.untyped.sink.payments.unknown')).toEqual([
      '#/channels/payments.unknown/messages/Envelope',
    ]);
  });

  it('describes ctx.publish targets named by publishes', () => {
    expect(document.operations['AuditController.audit.publish.payments.flagged']).toMatchObject({
      action: 'send',
      channel: { $ref: '#/channels/payments.flagged' },
      messages: [{ $ref: '#/channels/payments.flagged/messages/PaymentFlagged_v1' }],
    });
  });
});

@Schema('Reading', { codec: 'avro', streams: ['readings'] })
class Reading {
  @IsString() sensor!: string;
  @IsInt() value!: number;
}

@Schema('Alert', {
  streams: ['alerts'],
  confluentId: 42,
  avroSchema: { type: 'record', name: 'Alert', fields: [{ name: 'level', type: 'int' }] },
})
class Alert {
  @IsInt() level!: number;
}

describe('generateAsyncApi: Avro schemas', () => {
  const document = generateAsyncApi({
    registry: new SchemaRegistry().register(Reading, Alert, Shipment),
    handlers: [{ id: 'Sensors.read', patterns: ['readings'], options: {}, parameterTypes: () => [Reading] }],
  });

  it(
    'describes Avro binary with its Avro schema and the headers samsa writes, JSON envelopes unchanged',
    async () => {
      expect(await errorsOf(document)).toEqual([]);
      expect(document.components.messages.Reading_v1).toEqual({
        name: 'Reading:1',
        title: 'Reading v1',
        summary: 'Published to readings.',
        contentType: 'avro/binary',
        headers: {
          type: 'object',
          required: ['content-type', 'samsa.schema'],
          properties: {
            'content-type': { type: 'string', const: 'avro/binary' },
            'samsa.schema': {
              type: 'string',
              const: 'Reading:1',
              description: 'The schema reference `Id:version` the value was written with.',
            },
          },
        },
        payload: {
          schemaFormat: 'application/vnd.apache.avro;version=1.9.0',
          schema: {
            type: 'record',
            name: 'Reading',
            fields: [
              { name: 'sensor', type: 'string' },
              { name: 'value', type: 'long' },
            ],
          },
        },
      });
      expect(document.channels.readings.messages).toEqual({
        Reading_v1: { $ref: '#/components/messages/Reading_v1' },
      });
      expect(document.components.messages.Shipment_v1).toMatchObject({
        contentType: 'application/json',
        payload: { required: ['schema', 'data'] },
      });
      expect(document.components.messages.Shipment_v1).not.toHaveProperty('headers');
    },
    PARSER_TIMEOUT_MS,
  );

  it('says where a Confluent-framed value carries its schema id', () => {
    expect(document.components.messages.Alert_v1).toMatchObject({
      contentType: 'avro/binary',
      payload: {
        schemaFormat: 'application/vnd.apache.avro;version=1.9.0',
        schema: { type: 'record', name: 'Alert', fields: [{ name: 'level', type: 'int' }] },
      },
      bindings: {
        kafka: { schemaIdLocation: 'payload', schemaIdPayloadEncoding: 'confluent', bindingVersion: '0.5.0' },
      },
    });
    expect(document.components.messages.Reading_v1).not.toHaveProperty('bindings');
  });
});
