// The soak's app: one stateful handler over the input glob counts records per (topic, key) in
// `counts` and emits one output per counted record to the sink; a TTL store and an oversized
// store exercise expiries and refused changelog records. GET /soak/health serves StreamHealth.
import { Controller, Get, Module, type Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Schema } from '@samsa/schema';
import {
  InjectStore,
  StreamContext,
  StreamHandler,
  StreamHealth,
  StreamStoreModule,
  type StateStore,
  type StoreConnectionOptions,
  type StreamHealthReport,
} from '@samsa/stream-store';
import { IsIn, IsInt, IsString, Min } from 'class-validator';
import {
  APP_ID,
  failsFirstAttempt,
  INPUT_GLOB,
  OUTPUT_TOPIC,
  OVERSIZED_BYTES,
  RECENT_TTL_MS,
  stateKey,
  STORES,
  type CountData,
  type RecordKind,
  type TickData,
} from './topology.js';

@Schema('SoakTick', { version: 1 })
export class SoakTick implements TickData {
  @IsIn(['ok', 'poison', 'oversized']) kind!: RecordKind;
  @IsInt() seq!: number;
}

@Schema('SoakCount', { version: 1 })
export class SoakCount implements CountData {
  @IsString() topic!: string;
  @IsInt() @Min(0) partition!: number;
  @IsString() offset!: string;
  @IsString() key!: string;
  @IsInt() @Min(1) count!: number;
}

/** Thrown for `poison` records, on every attempt: they must end in the dead-letter topic. */
class PoisonRecordError extends Error {}
/** Thrown on the first attempt of records chosen by `failsFirstAttempt`: the retry must succeed. */
class FirstAttemptError extends Error {}

export interface SoakAppSettings {
  brokers: string;
  topicPrefix: string;
  group: string;
  store: StoreConnectionOptions;
  clientId: string;
}

// Short sessions so a killed member is replaced within seconds; frequent subscription refreshes so
// a new input topic makes the group rejoin while records are being retried.
const CONSUMER = { sessionTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 500 };
const SUBSCRIPTION_REFRESH_MS = 2_000;

export function soakModule(settings: SoakAppSettings): Type<unknown> {
  @Controller('soak')
  class SoakController {
    constructor(
      @InjectStore(STORES.counts) private readonly counts: StateStore<number>,
      @InjectStore(STORES.recent) private readonly recent: StateStore<string>,
      @InjectStore(STORES.blobs) private readonly blobs: StateStore<string>,
      private readonly health: StreamHealth,
    ) {}

    // The count is written before any failure is thrown: a failed attempt's writes must vanish.
    // Concurrency from the soak (SOAK_CONCURRENCY: 1 for even seeds, 3 for odd ones).
    @StreamHandler(INPUT_GLOB, {
      group: settings.group,
      concurrency: Number(process.env.SOAK_CONCURRENCY ?? 1),
      sink: OUTPUT_TOPIC,
      retry: { attempts: 3, initialDelayMs: 100, maxDelayMs: 400 },
    })
    async tick(@Payload() tick: SoakTick, @Ctx() ctx: StreamContext): Promise<SoakCount> {
      const { topic, partition, offset, key } = ctx;
      if (key === undefined) throw new PoisonRecordError(`${topic}:${partition}@${offset} has no key`);
      const id = stateKey(topic, key);
      const count = (await this.counts.update(id, (n) => (n ?? 0) + 1)) ?? 0;
      await this.recent.set(id, offset);
      if (tick.kind === 'poison') throw new PoisonRecordError(`seq ${tick.seq} is poison by design`);
      if (ctx.attempt === 1 && failsFirstAttempt(topic, partition, offset)) {
        throw new FirstAttemptError(`${topic}:${partition}@${offset} fails its first attempt by design`);
      }
      if (tick.kind === 'oversized') await this.blobs.set(id, 'x'.repeat(OVERSIZED_BYTES));
      return Object.assign(new SoakCount(), { topic, partition, offset, key, count });
    }

    @Get('health')
    check(): Promise<StreamHealthReport> {
      return this.health.check();
    }
  }

  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: settings.brokers,
        clientId: settings.clientId,
        appId: APP_ID,
        topicPrefix: settings.topicPrefix,
        store: settings.store,
        consumer: CONSUMER,
        subscriptionRefreshMs: SUBSCRIPTION_REFRESH_MS,
        topics: { partitions: 3, replicationFactor: 1 },
      }),
      StreamStoreModule.forFeature([
        STORES.counts,
        { name: STORES.recent, ttl: RECENT_TTL_MS },
        STORES.blobs,
      ]),
    ],
    controllers: [SoakController],
  })
  class SoakModule {}
  return SoakModule;
}
