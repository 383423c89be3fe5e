import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { MessageValidationError, Schema, SchemaRegistry } from '@samsa/schema';
import { IsString } from 'class-validator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchFlushError } from '../errors/batch-flush.error.js';
import { MessageEncoder } from './message-encoder.js';
import { PublishBatch } from './publish-batch.js';
import type { PublishBatchOptions } from './publish-options.interface.js';
import { RecordPreparer, type PreparedRecord } from './record-preparer.js';

@Schema('BatchNote', { version: 1 })
class Note {
  @IsString() text!: string;
}

const note = (text: unknown) => Object.assign(new Note(), { text });

/** A sender that records what it was given; `fail()` makes the next send reject. */
class FakeSender {
  readonly sends: PreparedRecord[][] = [];
  private failures: Error[] = [];
  fail(error = new Error('broker gone')) {
    this.failures.push(error);
  }
  send = vi.fn(async (records: readonly PreparedRecord[]) => {
    await Promise.resolve();
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sends.push([...records]);
    return [];
  });
  texts() {
    return this.sends.map((records) =>
      records.map((record) => JSON.parse(String(record.message.value)).data.text),
    );
  }
}

describe('PublishBatch', () => {
  let sender: FakeSender;
  const preparer = new RecordPreparer('app.', new MessageEncoder(new SchemaRegistry()));
  const batchOf = (options: PublishBatchOptions = {}) => new PublishBatch(preparer, sender, options);

  const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

  beforeEach(() => {
    logged.mockClear();
    sender = new FakeSender();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('sends once maxMessages are buffered', async () => {
    const batch = batchOf({ maxMessages: 3, lingerMs: 60_000 });
    for (const text of ['a', 'b', 'c', 'd']) batch.append('notes', note(text), { key: 'k' });
    await vi.advanceTimersByTimeAsync(0);
    expect(sender.texts()).toEqual([['a', 'b', 'c']]);
    expect(batch.buffered).toBe(1);
    await batch.flush();
    expect(sender.texts()).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('sends before maxBytes would be exceeded', async () => {
    const size = Buffer.byteLength(preparer.prepare('notes', note('x')).message.value as Buffer);
    const batch = batchOf({ maxBytes: size * 2 + 1, lingerMs: 60_000 });
    for (const text of ['a', 'b', 'c']) batch.append('notes', note(text));
    await vi.advanceTimersByTimeAsync(0);
    expect(sender.texts()).toEqual([['a', 'b']]);
    expect(batch.buffered).toBe(1);
  });

  it('sends lingerMs after the first message of a batch', async () => {
    const batch = batchOf({ lingerMs: 20 });
    batch.append('notes', note('a'));
    await vi.advanceTimersByTimeAsync(10);
    batch.append('notes', note('b'));
    await vi.advanceTimersByTimeAsync(9);
    expect(sender.send).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(sender.texts()).toEqual([['a', 'b']]);
    batch.append('notes', note('c'));
    await vi.advanceTimersByTimeAsync(20);
    expect(sender.texts()).toEqual([['a', 'b'], ['c']]);
  });

  it('prefixes topics and keeps options and order', async () => {
    const batch = batchOf();
    batch.append('notes', note('a'), { key: 'user-1', headers: { trace: 'x' } });
    batch.appendRaw('raw', Buffer.from('bytes'), { partition: 2 });
    await batch.flush();
    const [[first, second]] = sender.sends;
    expect(first).toMatchObject({ topic: 'app.notes', message: { key: 'user-1', headers: { trace: 'x' } } });
    expect(JSON.parse(String(first.message.value))).toEqual({ schema: 'BatchNote:1', data: { text: 'a' } });
    expect(second).toMatchObject({
      topic: 'app.raw',
      message: { value: Buffer.from('bytes'), partition: 2 },
    });
  });

  it('throws on an invalid message right away and buffers nothing', async () => {
    const batch = batchOf();
    expect(() => batch.append('notes', note(42))).toThrow(MessageValidationError);
    expect(() => batch.append('notes', { text: 'plain' })).toThrow(/not a message schema/);
    expect(batch.buffered).toBe(0);
    await batch.flush();
    expect(sender.send).not.toHaveBeenCalled();
  });

  it('flushes when an `await using` block throws', async () => {
    const run = async () => {
      await using batch = batchOf({ lingerMs: 60_000 });
      batch.append('notes', note('a'));
      batch.append('notes', note('b'));
      throw new Error('block failed');
    };
    await expect(run()).rejects.toThrow('block failed');
    expect(sender.texts()).toEqual([['a', 'b']]);
  });

  it('flushes at the end of an `await using` block and refuses appends after', async () => {
    let kept: PublishBatch | undefined;
    {
      await using batch = batchOf({ lingerMs: 60_000 });
      batch.append('notes', note('a'));
      kept = batch;
    }
    expect(sender.texts()).toEqual([['a']]);
    expect(() => kept?.append('notes', note('b'))).toThrow(/disposed/);
  });

  it('reports a background failure on the next append, with what was not sent', async () => {
    const batch = batchOf({ maxMessages: 2, lingerMs: 60_000 });
    sender.fail();
    batch.append('notes', note('a'));
    batch.append('notes', note('b')); // full: sent in the background, and fails
    await vi.advanceTimersByTimeAsync(0);
    let error: unknown;
    try {
      batch.append('notes', note('c'));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BatchFlushError);
    expect(error).toMatchObject({ unsent: 2, retriable: true, cause: new Error('broker gone') });
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('could not send 2 message(s)'));
    expect(batch.buffered).toBe(0);
    // Reported once; the batch works again.
    batch.append('notes', note('d'));
    await batch.flush();
    expect(sender.texts()).toEqual([['d']]);
  });

  it('reports a background failure on flush, and drops what was queued before it was reported', async () => {
    const batch = batchOf({ maxMessages: 1, lingerMs: 60_000 });
    sender.fail();
    batch.append('notes', note('a')); // fails
    batch.append('notes', note('b')); // queued behind it: not written after a lost message
    const error = await batch.flush().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchFlushError);
    expect(error).toMatchObject({ unsent: 2 });
    await batch.flush();
    expect(sender.texts()).toEqual([]);
  });

  it('asks the caller to wait once more than maxQueuedBytes are unsent, and lets it go when sends catch up', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    sender.send.mockImplementationOnce(async (records) => {
      await held;
      sender.sends.push([...records]);
      return [];
    });
    const size = preparer.prepare('notes', note('a')).message.value!.length;
    const batch = batchOf({ maxMessages: 2, lingerMs: 60_000, maxQueuedBytes: size * 3 });
    expect(batch.append('notes', note('a'))).toBeUndefined();
    expect(batch.append('notes', note('b'))).toBeUndefined(); // a full batch: its send hangs
    expect(batch.append('notes', note('c'))).toBeUndefined();
    const waiting = batch.append('notes', note('d')); // 4 unsent > 3
    expect(waiting).toBeInstanceOf(Promise);
    let resumed = false;
    void waiting!.then(() => (resumed = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(resumed).toBe(false);
    release();
    await waiting; // the first send is through: 2 unsent, under the mark again
    expect(sender.texts()).toEqual([['a', 'b']]);
    await batch.flush();
    expect(sender.texts()).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('lets waiting callers go when a send fails, and the next call reports it', async () => {
    const size = preparer.prepare('notes', note('a')).message.value!.length;
    const batch = batchOf({ maxMessages: 1, lingerMs: 60_000, maxQueuedBytes: size });
    sender.fail();
    batch.append('notes', note('a'));
    await batch.append('notes', note('b'));
    expect(() => batch.append('notes', note('c'))).toThrow(BatchFlushError);
  });

  it('checks its options', () => {
    expect(() => batchOf({ maxQueuedBytes: 0 })).toThrow(/maxQueuedBytes/);
    expect(() => batchOf({ maxMessages: 0 })).toThrow(/maxMessages/);
    expect(() => batchOf({ lingerMs: -1 })).toThrow(/lingerMs/);
    expect(() => batchOf({ maxBytes: 1.5 })).toThrow(/maxBytes/);
  });
});
