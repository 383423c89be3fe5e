import { describe, expect, it, vi } from 'vitest';
import type { StreamPublisher } from '../publisher/stream-publisher.js';
import type { StateStore } from '../store/state-store.interface.js';
import { SourceRunner } from './source-runner.js';
import type { SourceRunContext, StreamSourceOptions } from './stream-source-options.interface.js';

/** Sinks that record what they were given: a topic through a fake batch, a store through a map. */
function sinks() {
  const published: Array<{ topic: string; key?: string; message: object }> = [];
  const stored = new Map<string, unknown>();
  const batch = {
    append: (topic: string, message: object, options?: { key?: string }) => {
      published.push({ topic, key: options?.key, message });
      return undefined;
    },
    [Symbol.asyncDispose]: vi.fn(async () => undefined),
  };
  const publisher = { batch: () => batch } as unknown as StreamPublisher;
  const store = {
    name: 'cache',
    set: async (key: string, value: unknown) => void stored.set(key, value),
  } as unknown as StateStore<unknown>;
  return { published, stored, batch, factories: { publisher, store: () => store } };
}

function runner(
  method: (context: SourceRunContext) => unknown,
  options: StreamSourceOptions,
  factories = sinks().factories,
) {
  return new SourceRunner('Test.source', method, options, factories);
}

async function settled(source: SourceRunner) {
  for (let i = 0; i < 100 && source.status().state === 'running'; i++)
    await new Promise((resolve) => setImmediate(resolve));
  return source.status();
}

describe('SourceRunner', () => {
  it('hands each item of an iterable to every sink, entries keyed, and flushes at the end', async () => {
    const { published, stored, batch, factories } = sinks();
    const source = runner(
      () => [
        ['a', { n: 1 }],
        ['b', { n: 2 }],
      ],
      { sink: ['numbers', { store: 'cache' }] },
      factories,
    );
    source.start();
    expect(await settled(source)).toMatchObject({ state: 'done', runs: 1, items: 2 });
    expect(published).toEqual([
      { topic: 'numbers', key: 'a', message: { n: 1 } },
      { topic: 'numbers', key: 'b', message: { n: 2 } },
    ]);
    expect([...stored]).toEqual([
      ['a', { n: 1 }],
      ['b', { n: 2 }],
    ]);
    expect(batch[Symbol.asyncDispose]).toHaveBeenCalledTimes(1);
  });

  it('fails a run whose method returns no iterable, saying what to return', async () => {
    const source = runner(() => 42, { sink: 'numbers' });
    source.start();
    const status = await settled(source);
    expect(status.state).toBe('failed');
    expect(status.error).toMatch(/returned number, not an iterable: return an array, a generator/);
  });

  it('fails on a message without a key for a store sink, naming the source', async () => {
    const source = runner(() => [{ n: 1 }], { sink: { store: 'cache' } });
    source.start();
    const status = await settled(source);
    expect(status).toMatchObject({ state: 'failed', items: 0 });
    expect(status.error).toBe(
      '@StreamSource Test.source: a store sink needs a key: yield entries [key, value] or set `key`.',
    );
  });

  it('stops while the iterator waits for its next item: return() is called, nothing more is written', async () => {
    const { published, factories } = sinks();
    const returned = vi.fn(async () => ({ done: true as const, value: undefined }));
    let calls = 0;
    const iterator: AsyncIterableIterator<object> = {
      next: () => (calls++ === 0 ? Promise.resolve({ done: false, value: { n: 1 } }) : new Promise(() => {})),
      return: returned,
      [Symbol.asyncIterator]: () => iterator,
    };
    const source = runner(() => iterator, { sink: 'numbers', key: () => 'k' }, factories);
    source.start();
    while (calls < 2) await new Promise((resolve) => setImmediate(resolve));
    await source.stop();
    expect(returned).toHaveBeenCalledTimes(1);
    expect(source.status()).toMatchObject({ state: 'stopped', items: 1 });
    expect(published).toHaveLength(1);
  });

  it('stops a generator busy with its next item: stop() resolves after its finally ran', async () => {
    let producing = false;
    let closed = false;
    async function* ticks() {
      try {
        for (let i = 0; ; i++) {
          producing = true;
          await new Promise((resolve) => setTimeout(resolve, 50));
          yield { i };
        }
      } finally {
        closed = true;
      }
    }
    const source = runner(ticks, { sink: 'numbers', key: () => 'k' });
    source.start();
    while (!producing) await new Promise((resolve) => setImmediate(resolve));
    await source.stop();
    expect(closed).toBe(true);
    expect(source.status().state).toBe('stopped');
  });

  it('closes a generator it leaves on a failure, as for await would', async () => {
    let closed = false;
    function* items() {
      try {
        yield { n: 1 };
        yield 'not an object';
        yield { n: 3 };
      } finally {
        closed = true;
      }
    }
    const source = runner(items, { sink: 'numbers' });
    source.start();
    expect(await settled(source)).toMatchObject({ state: 'failed', items: 1 });
    expect(closed).toBe(true);
  });
});
