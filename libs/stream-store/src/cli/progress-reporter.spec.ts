import { describe, expect, it } from 'vitest';
import { ProgressReporter, type ProgressMode } from './progress-reporter.js';

function reporter(mode: ProgressMode, isTTY: boolean) {
  let now = 0;
  const written: string[] = [];
  const progress = new ProgressReporter(
    { isTTY, write: (text: string) => written.push(text) },
    mode,
    () => now,
  );
  return { progress, written, advance: (ms: number) => (now += ms) };
}

describe('ProgressReporter', () => {
  it('in a log, writes a line per tenth of a large step, and nothing for a small one', () => {
    const { progress, written } = reporter('auto', false);
    for (let done = 0; done <= 2_000; done += 50) progress.update({ step: 'topics', done, total: 2_000 });
    for (let done = 0; done <= 400; done++) progress.update({ step: 'groups', done, total: 400 });
    expect(written).toHaveLength(11);
    expect(written[0]).toBe('samsa: topics: 0/2000 (0%)\n');
    expect(written.at(-1)).toBe('samsa: topics: 2000/2000 (100%)\n');
  });

  it('with always, logs tenths of small steps too; with never, nothing', () => {
    const always = reporter('always', false);
    for (let done = 0; done <= 20; done++) always.progress.update({ step: 'groups', done, total: 20 });
    expect(always.written).toHaveLength(11);
    const never = reporter('never', true);
    never.advance(5_000);
    never.progress.update({ step: 'groups', done: 1, total: 2 });
    expect(never.written).toEqual([]);
  });

  it('on a terminal, redraws one line once the command has run a second, and clears it at the end', () => {
    const { progress, written, advance } = reporter('auto', true);
    progress.update({ step: 'topics', done: 1, total: 10 });
    expect(written).toEqual([]);
    advance(1_000);
    progress.update({ step: 'topics', done: 2, total: 10 });
    advance(10);
    progress.update({ step: 'topics', done: 3, total: 10 }); // Too soon to redraw.
    progress.update({ step: 'topics', done: 10, total: 10 }); // Finished: always drawn.
    progress.done();
    expect(written).toEqual(['\r\x1b[Ktopics: 2/10 (20%)', '\r\x1b[Ktopics: 10/10 (100%)', '\r\x1b[K']);
  });
});
