import 'reflect-metadata';
import {
  DuplicateSchemaError,
  MessageValidationError,
  NotASchemaClassError,
  Schema,
  SchemaRegistry,
} from '@samsa/schema';
import { IsString } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { MessageEncoder } from './message-encoder.js';
import { RecordPreparer } from './record-preparer.js';

@Schema('PrepNote', { version: 2, retention: 3_600 })
class Note {
  @IsString() text!: string;
}

@Schema('PrepNote', { version: 2 })
class Impostor {
  @IsString() text!: string;
}

const note = (fields: object) => Object.assign(new Note(), fields);

describe('RecordPreparer', () => {
  const setup = () => {
    const registry = new SchemaRegistry();
    return { registry, preparer: new RecordPreparer('app.', new MessageEncoder(registry)) };
  };

  it('validates, strips unknown properties, wraps in the envelope, and asks for the schema retention', async () => {
    const { registry, preparer } = setup();
    const record = await preparer.prepareAsync('notes', note({ text: 'hi', extra: true }), {
      key: 'k',
      headers: { h: 'v' },
    });
    expect(record.topic).toBe('app.notes');
    expect(record.config).toEqual({ 'retention.ms': '3600000' });
    expect(record.message).toMatchObject({ key: 'k', headers: { h: 'v' } });
    expect(JSON.parse(String(record.message.value))).toEqual({ schema: 'PrepNote:2', data: { text: 'hi' } });
    // The class was registered on first use.
    expect(registry.has(Note)).toBe(true);
  });

  it('rejects invalid data, plain objects and a class claiming a registered Id:version', async () => {
    const { preparer } = setup();
    await expect(preparer.prepareAsync('notes', note({ text: 1 }))).rejects.toBeInstanceOf(
      MessageValidationError,
    );
    expect(() => preparer.prepare('notes', { text: 'hi' })).toThrow(NotASchemaClassError);
    preparer.prepare('notes', note({ text: 'hi' }));
    expect(() => preparer.prepare('notes', Object.assign(new Impostor(), { text: 'hi' }))).toThrow(
      DuplicateSchemaError,
    );
  });

  it('sends raw values as they are, without topic configs', () => {
    const { preparer } = setup();
    expect(preparer.prepareRaw('raw', null, { partition: 1 })).toEqual({
      topic: 'app.raw',
      message: { key: undefined, value: null, headers: undefined, partition: 1 },
      config: {},
    });
    expect(() => preparer.prepareRaw('raw', 42 as never)).toThrow(/Buffer, a string or null/);
  });

  it('checks topic names, keys and partitions up front', () => {
    const { preparer } = setup();
    expect(() => preparer.prepareRaw('bad topic', 'v')).toThrow(/not a valid Kafka topic name/);
    expect(() => preparer.prepareRaw('', 'v')).toThrow(/not a valid Kafka topic name/);
    expect(() => preparer.prepareRaw('x'.repeat(246), 'v')).toThrow(/1 to 245/);
    expect(() => preparer.prepareRaw('t', 'v', { partition: -1 })).toThrow(/partition/);
    expect(() => preparer.prepareRaw('t', 'v', { key: 5 as never })).toThrow(/key/);
  });
});
