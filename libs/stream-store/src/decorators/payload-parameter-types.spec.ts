import 'reflect-metadata';
import { PATTERN_EXTRAS_METADATA } from '@nestjs/microservices/constants.js';
import { Ctx, Payload } from '@nestjs/microservices';
import { Schema } from '@samsa/schema';
import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../kafka/kafka-client.interface.js';
import { StreamContext } from '../transport/stream-context.js';
import { StreamHandler } from './stream-handler.decorator.js';
import { StreamRecord } from './stream-record.decorator.js';
import { STREAM_HANDLER_METADATA } from '../constants.js';
import type { StreamHandlerMetadata } from './stream-handler.decorator.js';

@Schema('ParamsDto', { version: 1 })
class Dto {}

/** What the transport reads: the payload types recorded by `@StreamHandler`. */
function payloadTypes(controller: object, method: string): unknown[] {
  const handler = (controller as Record<string, unknown>)[method] as object;
  const extras = Reflect.getMetadata(PATTERN_EXTRAS_METADATA, handler) as
    Record<string, StreamHandlerMetadata> | undefined;
  const metadata = extras?.[STREAM_HANDLER_METADATA];
  if (!metadata) throw new Error(`no @StreamHandler metadata on ${method}`);
  return metadata.parameterTypes();
}

class Handlers {
  @StreamHandler('t')
  recordOnly(@StreamRecord() _record: KafkaRecord) {}

  @StreamHandler('t')
  contextOnly(@Ctx() _ctx: StreamContext) {}

  @StreamHandler('t')
  recordAndContext(@StreamRecord() _record: KafkaRecord, @Ctx() _ctx: StreamContext) {}

  @StreamHandler('t')
  nothing() {}

  @StreamHandler('t')
  dto(@StreamRecord() _record: KafkaRecord, @Payload() _dto: Dto) {}

  @StreamHandler('t')
  bytes(@Payload() _bytes: Buffer, @Ctx() _ctx: StreamContext) {}

  @StreamHandler('t')
  undecorated(_dto: Dto, _ctx: StreamContext) {}

  @StreamHandler('t')
  property(@Payload('name') _name: string) {}
}

describe('payloadParameterTypes', () => {
  const handlers = Handlers.prototype;

  it.each(['recordOnly', 'contextOnly', 'recordAndContext', 'nothing'])(
    '%s: no payload parameter, so records come as they are',
    (method) => expect(payloadTypes(handlers, method)).toEqual([]),
  );

  it('finds the @Payload() parameter wherever it is', () => {
    expect(payloadTypes(handlers, 'dto')).toEqual([Dto]);
    expect(payloadTypes(handlers, 'bytes')).toEqual([Buffer]);
    expect(payloadTypes(handlers, 'property')).toEqual([String]);
  });

  it('takes the first parameter of a method without parameter decorators (Nest passes the payload first)', () => {
    expect(payloadTypes(handlers, 'undecorated')).toEqual([Dto]);
  });
});
