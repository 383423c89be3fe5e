import { Schema } from '@samsa/schema';
import { IsString } from 'class-validator';

/** kafkaesk's example: a schema'd message, its JSON Schema published to `__schema__Content`. */
@Schema('Content', { version: 1, retention: 24 * 60 * 60, streams: ['content.edited'] })
export class ContentMessage {
  @IsString() foo!: string;

  constructor(foo?: string) {
    if (foo !== undefined) this.foo = foo;
  }
}
