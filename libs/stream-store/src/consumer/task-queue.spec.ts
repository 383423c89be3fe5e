import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TaskQueue } from './task-queue.js';

describe('TaskQueue', () => {
  it('runs work of one partition number one at a time, in order, and other numbers beside it', async () => {
    const tasks = new TaskQueue();
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`${name} start`);
      await sleep(ms);
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      tasks.run(1, step('a-1', 30)),
      tasks.run(1, step('b-1', 1)),
      tasks.run(2, step('a-2', 1)),
    ]);
    expect(results).toEqual(['a-1', 'b-1', 'a-2']);
    expect(log.indexOf('b-1 start')).toBeGreaterThan(log.indexOf('a-1 end'));
    expect(log.indexOf('a-2 end')).toBeLessThan(log.indexOf('a-1 end'));
  });

  it('goes on after a failed run, which fails only its own caller', async () => {
    const tasks = new TaskQueue();
    const failed = tasks.run(0, () => Promise.reject(new Error('boom')));
    const next = tasks.run(0, () => Promise.resolve('next'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});
