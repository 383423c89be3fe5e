/** When the CLI shows progress on stderr: `auto` for long runs only, or as the flags say. */
export type ProgressMode = 'auto' | 'always' | 'never';

/** `--progress` → always, `--no-progress` → never, neither → auto. */
export function progressMode(flag: boolean | undefined): ProgressMode {
  return flag === undefined ? 'auto' : flag ? 'always' : 'never';
}

/** One step of a long command: how many of its items are done. */
export interface ProgressStep {
  /** What is counted, e.g. `topics` or `dead letters`. */
  step: string;
  done: number;
  /** Unknown (`undefined`) while it is still being worked out. */
  total?: number;
}

/** Where progress goes: stderr, or anything with its shape. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** In `auto` mode, a terminal sees progress once a command has run this long (ms)... */
const TTY_AFTER_MS = 1_000;
/** ...redrawn at most this often (ms)... */
const TTY_REDRAW_MS = 100;
/** ...and a log (not a terminal) sees it only for steps with at least this many items, in tenths. */
const LOG_MIN_ITEMS = 1_000;

/**
 * Progress of a long CLI command on stderr, so that stdout keeps only the result. On a terminal:
 * one line redrawn in place, after the first second. Otherwise (a CI log, a pipe): a line at each
 * tenth of a step, for steps of 1 000 items or more. `always` shows it from the start (tenths in a
 * log, whatever the size); `never` shows nothing.
 */
export class ProgressReporter {
  private readonly startedAt: number;
  private lastDrawAt = -Infinity;
  private drawn = false;
  private readonly tenthsShown = new Map<string, number>();

  constructor(
    private readonly out: ProgressOutput,
    private readonly mode: ProgressMode,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  update(progress: ProgressStep): void {
    if (this.mode === 'never') return;
    if (this.out.isTTY) this.draw(progress);
    else this.log(progress);
  }

  /** Clears the terminal's progress line, so that what follows starts on a clean line. */
  done(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }

  private draw(progress: ProgressStep): void {
    const now = this.now();
    if (this.mode === 'auto' && now - this.startedAt < TTY_AFTER_MS) return;
    const finished = progress.total !== undefined && progress.done >= progress.total;
    if (!finished && now - this.lastDrawAt < TTY_REDRAW_MS) return;
    this.lastDrawAt = now;
    this.drawn = true;
    this.out.write(`\r\x1b[K${describe(progress)}`);
  }

  private log(progress: ProgressStep): void {
    const { step, done, total } = progress;
    if (total === undefined || total === 0) return;
    if (this.mode === 'auto' && total < LOG_MIN_ITEMS) return;
    const tenth = Math.floor((10 * Math.min(done, total)) / total);
    if ((this.tenthsShown.get(step) ?? -1) >= tenth) return;
    this.tenthsShown.set(step, tenth);
    this.out.write(`samsa: ${describe(progress)}\n`);
  }
}

function describe({ step, done, total }: ProgressStep): string {
  if (total === undefined) return `${step}: ${done}`;
  const percent = total === 0 ? 100 : Math.floor((100 * done) / total);
  return `${step}: ${done}/${total} (${percent}%)`;
}
