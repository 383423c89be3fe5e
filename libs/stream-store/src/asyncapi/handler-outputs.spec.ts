import 'reflect-metadata';
import { PATTERN_EXTRAS_METADATA } from '@nestjs/microservices/constants.js';
import { Schema } from '@samsa/schema';
import { describe, expect, it } from 'vitest';
import { STREAM_HANDLER_METADATA } from '../constants.js';
import { StreamHandler, type StreamHandlerMetadata } from '../decorators/stream-handler.decorator.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import type { StreamHandlerDecoratorOptions } from '../interfaces/stream-handler-options.interface.js';

// What @StreamHandler records about the topics a handler sends to: topic names for the consume loop,
// schemas for the AsyncAPI document.
describe('@StreamHandler sinks', () => {
  @Schema('Audited')
  class Audited {}

  function metadataOf(options: StreamHandlerDecoratorOptions): StreamHandlerMetadata {
    class Payments {
      on() {}
    }
    const descriptor = Object.getOwnPropertyDescriptor(Payments.prototype, 'on');
    if (!descriptor) throw new Error('no method');
    StreamHandler('payments', options)(Payments.prototype, 'on', descriptor);
    const extras = Reflect.getMetadata(PATTERN_EXTRAS_METADATA, descriptor.value) as Record<string, unknown>;
    return extras[STREAM_HANDLER_METADATA] as StreamHandlerMetadata;
  }

  it('hands the consume loop topic names and keeps each sink schema for AsyncAPI', () => {
    const metadata = metadataOf({
      sink: ['plain', { topic: 'audited', schema: Audited }],
      publishes: { topic: 'flagged', schema: Audited },
    });
    expect(metadata.options.sink).toEqual(['plain', 'audited']);
    expect(metadata.outputs?.()).toEqual([
      { topic: 'plain', via: 'sink', schema: undefined },
      { topic: 'audited', via: 'sink', schema: Audited },
      { topic: 'flagged', via: 'publish', schema: Audited },
    ]);
  });

  it('refuses a sink whose schema is not a @Schema() class, saying what to pass', () => {
    class NotASchema {}
    expect(() => metadataOf({ sink: { topic: 'audited', schema: NotASchema } })).toThrow(
      '@StreamHandler on Payments.on has an invalid sink entry { topic: "audited", schema: NotASchema }: use a topic name or { topic: \'name\', schema: Class } with a @Schema() class.',
    );
    expect(() => metadataOf({ publishes: { topic: '', schema: Audited } })).toThrow(ConfigurationError);
  });
});
