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
