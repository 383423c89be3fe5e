import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// Until the lib's index.ts re-exports the asyncapi folder.
import type { AsyncApiDocument } from '@samsa/stream-store';
import { kafkaBrokers } from '../support/kafka.js';
import { spawnWorker } from '../support/spawn-worker.js';

const CLI = 'libs/stream-store/src/cli/main.ts';
const MODULE = 'test/e2e/fixtures/asyncapi.module.ts';

/** Runs the CLI; resolves with its exit code, stdout alone, and stdout + stderr. */
async function samsa(args: string[], env: Record<string, string> = {}) {
  const worker = spawnWorker(CLI, env, args);
  let stdout = '';
  worker.process.stdout?.on('data', (chunk) => (stdout += chunk));
  const code = await worker.exited;
  return { code, stdout, output: worker.output() };
}

async function errorsOf(json: string): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(json);
  return diagnostics
    .filter(({ severity }) => severity === DiagnosticSeverity.Error)
    .map(({ code, message, path }) => `${code}: ${message} at ${path.join('/')}`);
}

describe('samsa asyncapi', () => {
  it('writes a valid AsyncAPI 3.0 document of the handlers and schemas, without connecting to anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-asyncapi-'));
    const output = join(dir, 'asyncapi.json');
    const store = join(dir, 'state.sqlite');
    const {
      code,
      stdout,
      output: log,
    } = await samsa(
      [
        'asyncapi',
        `${MODULE}#ShopModule`,
        '--output',
        output,
        '--kafka-servers',
        kafkaBrokers().join(','),
        '--topic-prefix',
        'eu.',
        '--title',
        'Shop',
      ],
      { STORE_FILE: store },
    );
    expect(code, log).toBe(0);
    expect(stdout).toMatch(/Wrote .*asyncapi\.json: 6 channel\(s\), 7 operation\(s\), 3 schema\(s\)/);
    // The module declares a SQLite store: describing it must not open the database.
    expect(existsSync(store)).toBe(false);

    const json = readFileSync(output, 'utf8');
    expect(await errorsOf(json)).toEqual([]);
    const document = JSON.parse(json) as AsyncApiDocument;
    expect(document.info.title).toBe('Shop');
    expect(Object.values(document.servers ?? {}).map(({ host }) => host)).toEqual(kafkaBrokers());
    expect(
      Object.fromEntries(Object.entries(document.channels).map(([id, channel]) => [id, channel.address])),
    ).toEqual({
      'orders.*': 'eu.orders.*',
      shipments: 'eu.shipments',
      payments: 'eu.payments',
      'refunds._': null,
      'audit.raw': 'eu.audit.raw',
      'orders.placed': 'eu.orders.placed',
    });
    expect(Object.keys(document.channels['orders.*'].messages)).toEqual(['OrderPlaced_v1', 'OrderPlaced_v2']);
    expect(document.operations['ShopController.ship'].messages).toEqual([
      { $ref: '#/channels/orders.*/messages/OrderPlaced_v2' },
    ]);
    expect(document.operations['ShopController.settle.1'].bindings?.kafka.groupId).toEqual({
      type: 'string',
      enum: ['shop-payments'],
    });
    expect(document.components.schemas.OrderPlaced_v2).toMatchObject({
      title: 'OrderPlaced:2',
      // @ValidateNested() accepts a missing value: only @IsDefined() would make lines required
      required: ['orderId'],
      // @ValidateNested() without @IsArray(): class-validator takes one line or an array of them
      properties: {
        lines: {
          anyOf: [{ $ref: '#/components/schemas/OrderPlaced_v2/$defs/OrderLine' }, { type: 'array' }],
        },
      },
      $defs: {
        OrderLine: { properties: { quantity: { type: 'integer', minimum: 1 }, sku: { type: 'string' } } },
      },
    });
    expect(document.components.messages.Shipment_v1.payload).toMatchObject({
      properties: { schema: { const: 'Shipment:1' }, data: { $ref: '#/components/schemas/Shipment_v1' } },
    });
  });

  it('prints the document on stdout without --output', async () => {
    const { code, stdout, output } = await samsa(['asyncapi', `${MODULE}#ShopModule`]);
    expect(code, output).toBe(0);
    const document = JSON.parse(stdout) as AsyncApiDocument;
    expect(document.channels['orders.*'].address).toBe('shop.orders.*');
    expect(document.servers).toEqual({
      kafka: { host: '127.0.0.1:1', protocol: 'kafka', description: 'Kafka bootstrap broker' },
    });
    expect(await errorsOf(stdout)).toEqual([]);
  });

  it.each([
    [['asyncapi', `${MODULE}#BareModule`], /BareModule does not import StreamStoreModule.forRoot/],
    [['asyncapi', 'test/e2e/fixtures/missing.module.ts'], /Module file not found/],
    [['asyncapi', MODULE], /exports several modules/],
    [['asyncapi', `${MODULE}#ShopModule`, '--kafka-servers', 'nope'], /--kafka-servers must list host:port/],
    [['asyncapi'], /missing required argument/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const { code, output } = await samsa(args);
    expect(code).toBe(2);
    expect(output).toMatch(message);
  });
});
