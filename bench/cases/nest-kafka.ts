// Cases 3 and 5: Nest's own Kafka transport (ServerKafka, @EventPattern) with a ValidationPipe on
// the same BenchEvent; `naive` adds what a first version of a counter does: TypeORM findOneBy() +
// save() per message on SQLite, with TypeORM's defaults (rollback journal, synchronous=FULL), or
// with `naive-wal` the WAL + synchronous=NORMAL settings samsa gives its own SQLite store.
import { Controller, Inject, Module, ValidationPipe, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  Ctx,
  EventPattern,
  KafkaContext,
  Payload,
  Transport,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import type BetterSqlite3 from 'better-sqlite3';
import { logLevel } from 'kafkajs';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { BenchEvent } from '../support/bench-event.js';
import { runCase, uniqueId, Window, within, type CaseParams } from '../support/case.js';
import { FETCH_MAX_WAIT_MS } from '../support/kafka.js';

interface Params extends CaseParams {
  /** Without the run's prefix. */
  topic: string;
  mode: 'validate' | 'naive' | 'naive-wal';
}

const validation = new ValidationPipe({ whitelist: true, transform: true });

@Entity('counters')
class CounterRow {
  @PrimaryColumn('text') key!: string;
  @Column('integer') count!: number;
}

function validatingController(topic: string): Type {
  @Controller()
  class Validating {
    constructor(@Inject(Window) private readonly window: Window) {}

    // ServerKafka hands over the parsed value: the envelope; `data` is the event.
    @EventPattern<string>(topic)
    on(@Payload('data', validation) _event: BenchEvent): void {
      this.window.hit();
    }
  }
  return Validating;
}

function naiveController(topic: string): Type {
  @Controller()
  class Naive {
    constructor(
      @Inject(Window) private readonly window: Window,
      @Inject(DataSource) private readonly dataSource: DataSource,
    ) {}

    @EventPattern<string>(topic)
    async on(@Payload('data', validation) _event: BenchEvent, @Ctx() ctx: KafkaContext): Promise<void> {
      const counters = this.dataSource.getRepository(CounterRow);
      const key = String(ctx.getMessage().key);
      const row = (await counters.findOneBy({ key })) ?? counters.create({ key, count: 0 });
      row.count += 1;
      await counters.save(row);
      this.window.hit();
    }
  }
  return Naive;
}

function benchModule(params: Params, window: Window, database: string): Type {
  const topic = params.prefix + params.topic;
  const dataSource = {
    provide: DataSource,
    useFactory: () =>
      new DataSource({
        type: 'better-sqlite3',
        database,
        entities: [CounterRow],
        synchronize: true,
        ...(params.mode === 'naive-wal' && {
          enableWAL: true,
          prepareDatabase: (db: BetterSqlite3.Database) => void db.pragma('synchronous = NORMAL'),
        }),
      }).initialize(),
  };
  const naive = params.mode !== 'validate';
  @Module({
    controllers: [naive ? naiveController(topic) : validatingController(topic)],
    providers: [{ provide: Window, useValue: window }, ...(naive ? [dataSource] : [])],
  })
  class BenchModule {}
  return BenchModule;
}

await runCase<Params>(async (params) => {
  const window = new Window(params.messages, params.messageBytes);
  const database = join(tmpdir(), `${uniqueId('naive')}.sqlite`);
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(
    benchModule(params, window, database),
    {
      transport: Transport.KAFKA,
      options: {
        client: { brokers: params.brokers.split(','), logLevel: logLevel.NOTHING },
        // A fresh consumer group each repetition.
        consumer: { groupId: uniqueId('nest'), maxWaitTimeInMs: FETCH_MAX_WAIT_MS },
        subscribe: { fromBeginning: true },
      },
      logger: ['error', 'warn'],
    },
  );
  try {
    await app.listen();
    await within(window.reached, params.timeoutMs, () => `${window.handled}/${params.messages} handled`);
    return window.close();
  } finally {
    await app.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(database + suffix, { force: true });
  }
});
