// Schema evolution on the real broker: a new version of a schema is checked at startup against the previous
// version published in `__schema__<Id>`, with the compatibility its @Schema() asks for.
import { Module, type INestApplication, type Type as ClassType } from '@nestjs/common';
import { JSON_SCHEMA_GENERATION_COMMENT, Schema } from '@samsa/schema';
import { NestFactory } from '@nestjs/core';
import { StreamStoreModule, StreamStoreServer } from '@samsa/stream-store';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { afterEach, describe, expect, it } from 'vitest';
import { IsBigInt } from '@samsa/schema';
import { SchemaIncompatibleError } from '@samsa/stream-store';
import { consumeAll, createTopic, kafkaBrokers, produce, uniqueName } from '../support/kafka.js';

@Schema('Invoice', { codec: 'avro', version: 1 })
class InvoiceV1 {
  @IsBigInt() id!: bigint;
  @IsInt() cents!: number;
}

/** Breaks backward compatibility: `currency` has no default, and `cents` cannot be read as a string. */
@Schema('Invoice', { codec: 'avro', version: 2 })
class InvoiceV2Breaking {
  @IsBigInt() id!: bigint;
  @IsString() cents!: string;
  @IsString() currency!: string;
}

/** Backward compatible: the new field is optional (a null union with default null). */
@Schema('Invoice', { codec: 'avro', version: 2 })
class InvoiceV2 {
  @IsBigInt() id!: bigint;
  @IsInt() cents!: number;
  @IsOptional() @IsString() currency?: string | null;
}

/** The same breaking change, allowed by `compatibility: 'none'`. */
@Schema('Invoice', { codec: 'avro', version: 2, compatibility: 'none' })
class InvoiceV2Unchecked {
  @IsBigInt() id!: bigint;
  @IsString() currency!: string;
}

@Schema('Ledger', { version: 1 })
class LedgerV1 {
  @IsString() account!: string;
}

const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(prefix: string, schemas: ClassType<unknown>[]): Promise<void> {
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: kafkaBrokers(),
        clientId: uniqueName('evolution'),
        appId: uniqueName('evolution-app'),
        topicPrefix: prefix,
        schemas,
      }),
    ],
  })
  class EvolutionModule {}
  // As startStreamApp(), keeping hold of an app whose start fails so that it is closed too.
  const app = await NestFactory.create(EvolutionModule, { logger: ['error', 'warn'], abortOnError: false });
  apps.push(app);
  app.connectMicroservice({ strategy: app.get(StreamStoreServer) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.init();
}

describe('schema evolution at startup', () => {
  it('refuses a breaking new version with a report naming each field and its types; accepts a compatible one', async () => {
    const prefix = `${uniqueName('evolution')}.`;
    await start(prefix, [InvoiceV1]);
    await Promise.all(apps.splice(0).map((app) => app.close()));

    const refused = await start(prefix, [InvoiceV2Breaking]).then(
      () => undefined,
      (error: unknown) => error,
    );
    await Promise.all(apps.splice(0).map((app) => app.close()));
    expect(refused).toBeInstanceOf(SchemaIncompatibleError);
    expect((refused as Error).message).toContain(
      'Schema Invoice:2 is not backward compatible with Invoice:1',
    );
    expect((refused as Error).message).toContain('cents: type changed (long -> string)');
    expect((refused as Error).message).toContain(
      'currency: field added without a default (absent -> string)',
    );

    await start(prefix, [InvoiceV2]);
    const published = await consumeAll(`${prefix}__schema__Invoice`, 4, { timeoutMs: 30_000 });
    expect(published.map((record) => String(record.key))).toEqual(['1', 'avro:1', '2', 'avro:2']);
    expect(JSON.parse(String(published[3].value))).toMatchObject({
      fields: [
        { name: 'id', type: 'long' },
        { name: 'cents', type: 'long' },
        { name: 'currency', type: ['null', 'string'], default: null },
      ],
    });
  }, 120_000);

  it("starts a breaking version whose @Schema() says compatibility: 'none'", async () => {
    const prefix = `${uniqueName('evolution')}.`;
    await start(prefix, [InvoiceV1]);
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await start(prefix, [InvoiceV2Unchecked]);
    const published = await consumeAll(`${prefix}__schema__Invoice`, 4, { timeoutMs: 30_000 });
    expect(published.map((record) => String(record.key))).toEqual(['1', 'avro:1', '2', 'avro:2']);
  }, 120_000);

  it('replaces a JSON Schema an older samsa published under the same version, with a WARN, instead of refusing to start', async () => {
    const prefix = `${uniqueName('evolution')}.`;
    // What samsa before generation 2 published for a Date: a oneOf every ISO date matches twice.
    const older = { type: 'object', properties: { at: { oneOf: [{ type: 'string', format: 'date' }] } } };
    await createTopic(`${prefix}__schema__Ledger`, 1, { 'cleanup.policy': 'compact' });
    await produce(`${prefix}__schema__Ledger`, [{ key: '1', value: JSON.stringify(older) }]);
    await start(prefix, [LedgerV1]);
    const published = await consumeAll(`${prefix}__schema__Ledger`, 2, { timeoutMs: 30_000 });
    expect(published.map((record) => String(record.key))).toEqual(['1', '1']);
    expect(JSON.parse(String(published[1].value))).toMatchObject({
      $comment: JSON_SCHEMA_GENERATION_COMMENT,
    });
  }, 120_000);
});
