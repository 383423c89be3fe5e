import { Controller, Injectable, Module, type LoggerService } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { Schema } from '@samsa/schema';
import { IsString } from 'class-validator';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamHandler } from '../decorators/stream-handler.decorator.js';
import { StreamStoreModule } from '../stream-store.module.js';
import { InMemoryKafka } from './in-memory-kafka.js';
import { createStreamTestApp, startStreamTestApp, type StreamTestApp } from './stream-test-app.js';

@Schema('Alert', { version: 1 })
class Alert {
  @IsString() text!: string;
  constructor(init?: Partial<Alert>) {
    Object.assign(this, init);
  }
}

/** What the app's feature module uses in production: a call to a paging service. */
@Injectable()
class Pager {
  page(text: string): void {
    throw new Error(`the real pager was called with ${text}; tests must replace it`);
  }
}

@Controller()
class AlertsController {
  constructor(private readonly pager: Pager) {}

  @StreamHandler('alerts')
  onAlert(@Payload() alert: Alert) {
    this.pager.page(alert.text);
  }
}

/** The app's feature module, imported by the test unchanged. */
@Module({ controllers: [AlertsController], providers: [Pager] })
class AlertsModule {}

describe('Test.createTestingModule with the in-memory Kafka', () => {
  let harness: StreamTestApp | undefined;
  afterEach(() => harness?.close());

  it('replaces a provider inside an imported feature module, and its handlers consume in-process topics', async () => {
    const kafka = new InMemoryKafka();
    const paged: string[] = [];
    const moduleRef = await Test.createTestingModule({
      imports: [StreamStoreModule.forRoot({ brokers: 'in-memory:0', client: kafka }), AlertsModule],
    })
      .overrideProvider(Pager)
      .useValue({ page: (text: string) => paged.push(text) })
      .compile();
    harness = await startStreamTestApp(moduleRef.createNestApplication({ logger: false }), kafka);

    await harness.send('alerts', [new Alert({ text: 'disk full' }), new Alert({ text: 'cpu hot' })]);
    await harness.idle();

    expect(paged).toEqual(['disk full', 'cpu hot']);
    expect(harness.deadLetters('alerts')).toEqual([]);
  });
});

describe('createStreamTestApp logger', () => {
  let harness: StreamTestApp | undefined;
  afterEach(() => harness?.close());

  const collector = () => {
    const lines: string[] = [];
    const logger: LoggerService = {
      log: (message: unknown) => lines.push(`LOG ${String(message)}`),
      error: (message: unknown) => lines.push(`ERROR ${String(message)}`),
      warn: (message: unknown) => lines.push(`WARN ${String(message)}`),
    };
    return { lines, logger };
  };

  it("takes the app's logger, as NestFactory.create does", async () => {
    const { lines, logger } = collector();
    harness = await createStreamTestApp({ controllers: [AlertsController], providers: [Pager], logger });
    expect(lines).toContainEqual(expect.stringMatching(/^LOG Nest application successfully started/));
  });
});
