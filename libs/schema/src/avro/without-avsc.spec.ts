import { IsString } from 'class-validator';
import { describe, expect, it, vi } from 'vitest';
import type { AvroSchema } from '../codecs/avro.codec.js';
import { MissingAvscError } from './missing-avsc.error.js';

// The package as it is without avsc installed: the loader fails as it would (Node's "Cannot find module").
const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('./avsc.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./avsc.js')>();
  return {
    ...actual,
    avsc: () => {
      loads.count++;
      return actual.requireAvsc(() => {
        throw Object.assign(new Error("Cannot find module 'avsc'"), { code: 'MODULE_NOT_FOUND' });
      });
    },
  };
});

describe('@samsa/schema without avsc', () => {
  it('imports, and serves JSON schemas, without loading avsc', async () => {
    const schema = await import('../index.js');

    @schema.Schema('Note')
    class Note {
      @IsString() text!: string;
    }
    const registry = new schema.SchemaRegistry().register(Note);
    const codec = new schema.MessageCodec(registry);
    const bytes = codec.encode(Object.assign(new Note(), { text: 'hi' }));
    expect(codec.decode(bytes).message).toEqual(Object.assign(new Note(), { text: 'hi' }));
    expect(schema.toJsonSchema(Note)).toMatchObject({ properties: { text: { type: 'string' } } });
    expect(schema.breakingChanges).toBeTypeOf('function');
    expect(loads.count).toBe(0);
  });

  it('throws MissingAvscError, not a schema error, where Avro is used', async () => {
    const schema = await import('../index.js');
    const avroSchema: AvroSchema = { type: 'record', name: 'Tick', fields: [{ name: 'at', type: 'long' }] };

    // An explicit Avro schema is compiled when the class is declared.
    expect(() => schema.Schema('Tick', { avroSchema })(class Tick {})).toThrow(MissingAvscError);

    // A derived one when the class is registered.
    @schema.Schema('Tock', { codec: 'avro' })
    class Tock {
      @IsString() id!: string;
    }
    expect(() => new schema.SchemaRegistry().register(Tock)).toThrow(MissingAvscError);
    expect(() => new schema.AvroCodec(avroSchema)).toThrow(MissingAvscError);
    expect(() => schema.avroBreakingChanges(avroSchema, avroSchema, 'backward')).toThrow(MissingAvscError);
    expect(() => new schema.AvroCodec(avroSchema)).toThrow(
      'The Avro codec needs the package avsc, an optional peer dependency of @samsa/schema: npm install avsc',
    );
    expect(loads.count).toBeGreaterThan(0);
  });
});
