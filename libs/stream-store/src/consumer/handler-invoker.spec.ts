import { setTimeout as sleep } from 'node:timers/promises';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { HandlerTimeoutError } from '../errors/handler-timeout.error.js';
import type { StreamContext } from '../transport/stream-context.js';
import { invokeHandler, type Invocation } from './handler-invoker.js';

const record = { topic: 't', partition: 0, offset: '0', key: null, value: null, headers: {}, timestamp: '0' };

function invocation(overrides: Partial<Invocation> = {}): Invocation {
  return {
    handlerId: 'H.m',
    group: 'g',
    record,
    payload: {},
    attempt: 1,
    control: { heartbeat: () => Promise.resolve(), isActive: () => true, commit: () => Promise.resolve() },
    timeoutGraceMs: 100,
    stopping: new AbortController().signal,
    publish: () => undefined,
    ...overrides,
  };
}

describe('invokeHandler', () => {
  it('aborts ctx.signal on timeout and fails once the run stopped', async () => {
    let signal: AbortSignal | undefined;
    const handler = async (_: unknown, ctx: StreamContext) => {
      signal = ctx.signal;
      await sleep(1_000, undefined, { signal: ctx.signal }).catch(() => undefined);
    };
    const error = await invokeHandler(handler, invocation({ timeoutMs: 50 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandlerTimeoutError);
    expect((error as HandlerTimeoutError).stillRunning).toBeUndefined();
    expect(signal?.aborted).toBe(true);
  });

  it('hands back a run that ignores its signal past the grace, settling when the run does', async () => {
    let finished = false;
    const handler = async () => {
      await sleep(400);
      finished = true;
    };
    const error = (await invokeHandler(handler, invocation({ timeoutMs: 50 })).catch((e: unknown) => e)) as
      HandlerTimeoutError | undefined;
    expect(error?.stillRunning).toBeInstanceOf(Promise);
    expect(finished).toBe(false);
    await error?.stillRunning;
    expect(finished).toBe(true);
  });

  it('passes the consumer stop on to ctx.signal', async () => {
    const stopping = new AbortController();
    let seen: AbortSignal | undefined;
    await invokeHandler(
      (_: unknown, ctx: StreamContext) => {
        seen = ctx.signal;
        return Promise.resolve();
      },
      invocation({ stopping: stopping.signal }),
    );
    expect(seen?.aborted).toBe(false);
    stopping.abort();
    expect(seen?.aborted).toBe(true);
  });

  it("hands the result (an Observable's last value too) to emitOutputs before settling", async () => {
    const emitted: unknown[] = [];
    const emitOutputs = (output: unknown) => void emitted.push(output);
    expect(await invokeHandler(async () => 'one', invocation({ emitOutputs }))).toBe('one');
    expect(await invokeHandler(async () => of(1, 2), invocation({ emitOutputs }))).toBe(2);
    expect(await invokeHandler(async () => 'three', invocation({ emitOutputs, timeoutMs: 1_000 }))).toBe(
      'three',
    );
    expect(emitted).toEqual(['one', 2, 'three']);
  });

  it('fails the call when its outputs cannot be taken (e.g. a sink message fails validation)', async () => {
    const invalid = new TypeError('not a @Schema class');
    const emitOutputs = () => {
      throw invalid;
    };
    await expect(invokeHandler(async () => 'x', invocation({ emitOutputs }))).rejects.toBe(invalid);
  });
});
