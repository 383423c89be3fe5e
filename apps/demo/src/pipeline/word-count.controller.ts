import { Controller, Get, Param } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { InjectStore, StreamContext, StreamHandler, type StateStore } from '@samsa/stream-store';
import { DemoProgress } from '../demo-progress.js';
import { Word, WordCounted } from './word.message.js';

/** snapstream's pipeline: `TextSource` → `words` → this handler → `word_counts` store → `words.counted` sink. */
@Controller('words')
export class WordCountController {
  constructor(
    @InjectStore('word_counts') private readonly counts: StateStore<number>,
    private readonly progress: DemoProgress,
  ) {}

  @StreamHandler('words', { sink: 'words.counted' })
  async onWord(@Payload() { word }: Word, @Ctx() ctx: StreamContext): Promise<WordCounted> {
    const count = (await this.counts.update(word, (n) => (n ?? 0) + 1)) ?? 0;
    this.progress.count('words');
    if (ctx.offset.endsWith('0'))
      this.progress.log(`word #${ctx.offset} of partition ${ctx.partition}: "${word}" x${count}`);
    return Object.assign(new WordCounted(), { word, count });
  }

  @Get(':word')
  async count(@Param('word') word: string): Promise<{ word: string; count: number }> {
    return { word, count: (await this.counts.get(word)) ?? 0 };
  }
}
