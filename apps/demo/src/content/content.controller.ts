import { Controller, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { StreamContext, StreamHandler } from '@samsa/stream-store';
import { DemoProgress } from '../demo-progress.js';
import { ContentMessage } from './content.message.js';

/** Every topic matching `content.*` (`content.edited`, `content.created.Page`, ...), validated. */
@Controller()
export class ContentController {
  private readonly logger = new Logger('Content');

  constructor(private readonly progress: DemoProgress) {}

  @StreamHandler('content.*', { concurrency: 3 })
  onContent(@Payload() message: ContentMessage, @Ctx() ctx: StreamContext) {
    this.logger.log(`${ctx.topic} #${ctx.offset} (${ctx.schema}): foo=${message.foo}`);
    this.progress.count('content');
  }
}
