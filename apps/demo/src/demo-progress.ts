import { Injectable, Logger } from '@nestjs/common';

/** Counts what the demo's handlers did, so `--once` knows when its scenario is done. */
@Injectable()
export class DemoProgress {
  private readonly logger = new Logger('Demo');
  private readonly counts = new Map<string, number>();

  count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  of(what: string): number {
    return this.counts.get(what) ?? 0;
  }

  log(message: string): void {
    this.logger.log(message);
  }
}
