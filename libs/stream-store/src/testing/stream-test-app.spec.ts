import { Controller, Injectable } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Schema } from '@samsa/schema';
import { IsInt, IsString } from 'class-validator';
import { afterEach, describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../consumer/dead-letter.js';
import { StreamHandler } from '../decorators/stream-handler.decorator.js';
import { StreamContext } from '../transport/stream-context.js';
import { createStreamTestApp, type StreamTestApp } from './stream-test-app.js';

@Schema('Deployment', { version: 1 })
class Deployment {
  @IsString() service!: string;
  @IsInt() build!: number;
  constructor(init?: Partial<Deployment>) {
    Object.assign(this, init);
  }
}

@Injectable()
class Audit {
  readonly lines: string[] = [];
}

@Controller()
class DeploymentController {
  constructor(private readonly audit: Audit) {}

  @StreamHandler('deploys.*', { retry: { attempts: 2, initialDelayMs: 1 } })
  onDeploy(@Payload() deploy: Deployment, @Ctx() ctx: StreamContext) {
    if (deploy.build < 0) throw new RangeError('negative build');
    this.audit.lines.push(`${ctx.topic}#${ctx.offset} ${deploy.service}@${deploy.build}`);
  }
}

describe('createStreamTestApp (in-memory transport)', () => {
  let harness: StreamTestApp;
  afterEach(() => harness?.close());

  it('runs handlers over iterable sources, in order, across topics matching the glob', async () => {
    harness = await createStreamTestApp({ controllers: [DeploymentController], providers: [Audit] });
    await harness.send('deploys.eu', [
      new Deployment({ service: 'api', build: 1 }),
      new Deployment({ service: 'web', build: 2 }),
    ]);
    async function* later() {
      yield new Deployment({ service: 'api', build: 3 });
    }
    await harness.send('deploys.us', later());
    await harness.send('other', [new Deployment({ service: 'ignored', build: 9 })]);
    await harness.idle();
    expect(harness.app.get(Audit).lines).toEqual([
      'deploys.eu#0 api@1',
      'deploys.eu#1 web@2',
      'deploys.us#0 api@3',
    ]);
  });

  it('dead-letters invalid and failing messages and keeps going', async () => {
    harness = await createStreamTestApp({ controllers: [DeploymentController], providers: [Audit] });
    await harness.send('deploys.eu', [
      new Deployment({ service: 'api', build: -1 }),
      '{"schema":"Deployment:1","data":{"service":"x"}}',
      new Deployment({ service: 'web', build: 2 }),
    ]);
    await harness.idle();
    expect(harness.app.get(Audit).lines).toEqual(['deploys.eu#2 web@2']);
    const letters = harness.deadLetters('deploys.eu');
    expect(letters.map((letter) => letter.headers[DEAD_LETTER_HEADERS.errorClass])).toEqual([
      'RangeError',
      'MessageValidationError',
    ]);
    expect(letters.map((letter) => letter.headers[DEAD_LETTER_HEADERS.attempts])).toEqual(['2', '0']);
  });
});

@Schema('StatusChanged', { version: 1 })
class StatusChanged {
  @IsString() service!: string;
  @IsInt() from!: number;
  @IsInt() to!: number;
  constructor(init?: Partial<StatusChanged>) {
    Object.assign(this, init);
  }
}

@Controller()
class SinkController {
  private readonly last = new Map<string, number>();

  @StreamHandler('deploys', { sink: 'changes' })
  onDeploy(@Payload() deploy: Deployment, @Ctx() ctx: StreamContext) {
    const previous = this.last.get(deploy.service);
    this.last.set(deploy.service, deploy.build);
    ctx.publish('audit', new StatusChanged({ service: deploy.service, from: -1, to: deploy.build }));
    if (previous === undefined || previous === deploy.build) return undefined;
    return new StatusChanged({ service: deploy.service, from: previous, to: deploy.build });
  }
}

describe('handler outputs (in-memory transport)', () => {
  let harness: StreamTestApp;
  afterEach(() => harness?.close());

  it('sends return values to the sink topic, keyed like the input, and ctx.publish to its topic', async () => {
    harness = await createStreamTestApp({ controllers: [SinkController] });
    const deploys = [1, 1, 2, 3].map((build) => new Deployment({ service: 'api', build }));
    await harness.send('deploys', deploys, { key: 'api' });
    await harness.idle();
    const changes = harness.records('changes');
    expect(changes.map((record) => JSON.parse(record.value?.toString() ?? '')).map((m) => m.data)).toEqual([
      { service: 'api', from: 1, to: 2 },
      { service: 'api', from: 2, to: 3 },
    ]);
    expect(changes.every((record) => record.key?.toString() === 'api')).toBe(true);
    expect(harness.records('audit')).toHaveLength(4);
  });
});
