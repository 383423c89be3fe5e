// The language-agnostic contract on the real broker, checked by clients samsa did not write: python-jsonschema
// (Draft202012Validator, with and without FormatChecker) validates what samsa publishes against the schema samsa
// put in `__schema__<Id>`; payloads valid under that schema, produced by Python confluent-kafka and by kcat, are
// accepted by a samsa handler; and both librdkafka producers, told `partitioner=murmur2_random`, place each key on
// the partition samsa's publisher picks.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Controller, Injectable, Module, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  KeyPartitioner,
  StreamContext,
  StreamHandler,
  StreamPublisher,
  StreamStoreModule,
} from '@samsa/stream-store';
import { afterAll, describe, expect, it } from 'vitest';
import { createTopic, kafkaBrokers, uniqueName, waitFor } from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';
import { ContractAudit, ContractOrder, Priority } from './fixtures/contract/contract.messages.js';

/** The system Python, which has confluent-kafka (librdkafka) and jsonschema; not a pyenv one. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./fixtures/contract/jsonschema_roundtrip.py', import.meta.url));
const hasPythonTools = spawnSync(PYTHON, ['-c', 'import confluent_kafka, jsonschema']).status === 0;
const hasKcat = spawnSync('kcat', ['-V']).status === 0;
// Without the tools a developer's run skips with this reason; under CI the tests run, and fail.
const skipReason =
  (hasPythonTools && hasKcat) || process.env.CI
    ? undefined
    : `needs ${PYTHON} with confluent_kafka and jsonschema, and kcat`;

const PARTITIONS = 6;
const KEYS = Array.from({ length: 8 }, (_, n) => `order-${n}`);

interface HandledOrder {
  key: string | undefined;
  partition: number;
  order: ContractOrder;
}

@Injectable()
class Handled {
  readonly all: HandledOrder[] = [];
}

@Controller()
class ContractController {
  constructor(private readonly handled: Handled) {}

  @StreamHandler('orders', { sink: { topic: 'orders.audited', schema: ContractAudit } })
  audit(@Payload() order: ContractOrder, @Ctx() ctx: StreamContext): ContractAudit {
    this.handled.all.push({ key: ctx.key, partition: ctx.partition, order });
    return Object.assign(new ContractAudit(), {
      orderId: order.id,
      auditedAt: order.placedAt,
      priority: order.priority,
      note: order.note ?? null,
    });
  }
}

function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, input });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

/** Payloads a Python producer writes from the schema: the forms validation takes beyond samsa's own output. */
function pythonPayloads(): { key: string; data: Record<string, unknown> }[] {
  return KEYS.map((key, n) => ({
    key,
    data: {
      // five characters for validator.js (a heart and its presentation selector count once), ten code points
      id: n === 0 ? '❤️❤️❤️❤️❤️' : `py-${n}`,
      placedAt: [1_714_557_600_000, '2024-05-01', '2024-05-01T10:00:00Z'][n % 3],
      priority: n % 2 === 0 ? 1 : 'High',
      ...(n % 2 === 0 ? { note: null } : {}),
      ...(n % 3 === 0 ? { shipping: { city: 'Oslo' } } : {}),
      due: n % 2 === 0 ? '2024-05-01' : '2024-05-01T10:00:00Z',
      sku: `AB-${n}`,
      contact: 'ops@example.com',
      quantities: [n, 1],
    },
  }));
}

const apps: INestApplication[] = [];
afterAll(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe.skipIf(skipReason !== undefined)(
  `the published JSON Schema, read by Python and kcat${skipReason ? ` (${skipReason})` : ''}`,
  () => {
    it("validates what samsa publishes, and the messages valid under it are accepted, each key on samsa's partition", async () => {
      const prefix = `${uniqueName('contract')}.`;
      const brokers = kafkaBrokers().join(',');
      await createTopic(`${prefix}orders`, PARTITIONS);
      await createTopic(`${prefix}orders.audited`, PARTITIONS);

      @Module({
        imports: [
          StreamStoreModule.forRoot({
            brokers: kafkaBrokers(),
            clientId: uniqueName('contract'),
            topicPrefix: prefix,
            schemas: [ContractOrder, ContractAudit],
          }),
        ],
        controllers: [ContractController],
        providers: [Handled],
      })
      class ContractModule {}
      const app = await startStreamApp(ContractModule);
      apps.push(app);
      const handled = app.get(Handled);

      // samsa publishes one order per key
      const publisher = app.get(StreamPublisher);
      const samsaPartition = new Map<string, number>();
      for (const [n, key] of KEYS.entries()) {
        const order = Object.assign(new ContractOrder(), {
          id: `ts-${n}`,
          placedAt: new Date(Date.UTC(2024, 4, 1, 10, n)),
          priority: Priority.Low,
          note: n % 2 === 0 ? null : 'gift',
          due: '2024-05-01T10:00:00.000Z',
          sku: `TS-${n}`,
          contact: 'ops@example.com',
          quantities: [n],
        });
        samsaPartition.set(key, (await publisher.publish('orders', order, { key })).partition);
      }

      // Python checks its payloads against the published schema, then produces them keyed with librdkafka
      const pythonPlaced = JSON.parse(
        run(
          PYTHON,
          [
            SCRIPT,
            'produce',
            brokers,
            `${prefix}__schema__ContractOrder`,
            `${prefix}orders`,
            'ContractOrder:1',
          ],
          JSON.stringify(pythonPayloads()),
        ),
      ) as { key: string; partition: number }[];

      // kcat, with the partitioner samsa's README names
      const kcatLines = KEYS.map((key, n) =>
        [
          key,
          JSON.stringify({
            schema: 'ContractOrder:1',
            data: {
              id: `kc-${n}`,
              placedAt: '2024-05-01T10:00:00+02:00',
              priority: 2,
              due: '2024-05-01',
              sku: `KC-${n}`,
              contact: 'ops@example.com',
              quantities: [],
            },
          }),
        ].join('|'),
      );
      run(
        'kcat',
        ['-P', '-b', brokers, '-t', `${prefix}orders`, '-K', '|', '-X', 'partitioner=murmur2_random'],
        `${kcatLines.join('\n')}\n`,
      );

      // every message reaches the handler: none dead-lettered
      const expected = KEYS.length * 3;
      await waitFor(() => handled.all.length >= expected, {
        timeoutMs: 45_000,
        message: `${expected} orders handled (have ${handled.all.length})`,
      });
      expect(handled.all).toHaveLength(expected);
      const ids = handled.all.map(({ order }) => order.id).sort();
      expect(ids).toEqual(
        [
          ...KEYS.map((_, n) => `ts-${n}`),
          ...KEYS.map((_, n) => `kc-${n}`),
          ...pythonPayloads().map((p) => p.data.id),
        ].sort(),
      );
      // epoch millis and ISO strings both became Dates
      const placedAt = (id: string) => handled.all.find(({ order }) => order.id === id)?.order.placedAt;
      expect(placedAt('❤️❤️❤️❤️❤️')).toEqual(new Date('2024-05-01T10:00:00Z'));
      expect(placedAt('py-2')).toEqual(new Date('2024-05-01T10:00:00Z'));

      // each key sits on one partition, whoever produced it: samsa, Python or kcat
      const partitioner = new KeyPartitioner();
      for (const key of KEYS) {
        const seen = [...new Set(handled.all.filter((h) => h.key === key).map((h) => h.partition))];
        expect({ key, seen }).toEqual({ key, seen: [samsaPartition.get(key)] });
        expect(pythonPlaced.find((placed) => placed.key === key)?.partition).toBe(samsaPartition.get(key));
        expect(partitioner.partition(key, PARTITIONS)).toBe(samsaPartition.get(key));
      }
      expect(
        new Set(samsaPartition.values()).size,
        'the keys spread over several partitions',
      ).toBeGreaterThan(1);

      // what samsa published (its own orders and the handler's sink outputs) validates in Python
      const orders = JSON.parse(
        run(PYTHON, [
          SCRIPT,
          'validate',
          brokers,
          `${prefix}__schema__ContractOrder`,
          `${prefix}orders`,
          'ContractOrder:1',
          String(expected),
        ]),
      ) as { seen: number; checked: number; errors: string[] };
      expect(orders).toEqual({ seen: expected, checked: expected, errors: [] });
      const audits = JSON.parse(
        run(PYTHON, [
          SCRIPT,
          'validate',
          brokers,
          `${prefix}__schema__ContractAudit`,
          `${prefix}orders.audited`,
          'ContractAudit:1',
          String(expected),
        ]),
      ) as { seen: number; checked: number; errors: string[] };
      expect(audits).toEqual({ seen: expected, checked: expected, errors: [] });
    });
  },
);
