import { describe, expect, it } from 'vitest';
import type { AvroSchema } from '../codecs/avro.codec.js';
import { breakingChanges } from '../registry/schema-compatibility.js';
import { avroBreakingChanges } from './avro-compatibility.js';

const record = (fields: unknown[]): AvroSchema => ({ type: 'record', name: 'Order', fields }) as AvroSchema;
const v1 = record([
  { name: 'id', type: 'long' },
  { name: 'count', type: 'int' },
  { name: 'note', type: 'string' },
  {
    name: 'customer',
    type: { type: 'record', name: 'Customer', fields: [{ name: 'name', type: 'string' }] },
  },
]);

describe('avroBreakingChanges', () => {
  it('backward: a field added without a default and a type that cannot be promoted, named with both types', () => {
    const v2 = record([
      { name: 'id', type: 'string' },
      { name: 'count', type: 'long' },
      { name: 'currency', type: 'string' },
      {
        name: 'customer',
        type: { type: 'record', name: 'Customer', fields: [{ name: 'name', type: 'int' }] },
      },
    ]);
    expect(avroBreakingChanges(v1, v2, 'backward')).toEqual([
      { path: 'id', change: 'type changed', from: 'long', to: 'string' },
      { path: 'currency', change: 'field added without a default', from: 'absent', to: 'string' },
      { path: 'customer.name', change: 'type changed', from: 'string', to: 'int' },
    ]);
  });

  it('accepts what Avro resolution accepts: promotions, defaults, removed fields (backward)', () => {
    const v2 = record([
      { name: 'id', type: 'long' },
      { name: 'count', type: 'double' },
      { name: 'currency', type: ['null', 'string'], default: null },
      {
        name: 'customer',
        type: { type: 'record', name: 'Customer', fields: [{ name: 'name', type: 'string' }] },
      },
    ]);
    expect(avroBreakingChanges(v1, v2, 'backward')).toEqual([]);
    // Old readers cannot take a double for an int, and need `note` (no default).
    expect(avroBreakingChanges(v1, v2, 'forward')).toEqual([
      { path: 'count', change: 'type changed', from: 'int', to: 'double' },
      {
        path: 'note',
        change: 'field removed (it has no default in the previous version)',
        from: 'string',
        to: 'absent',
      },
    ]);
    expect(avroBreakingChanges(v1, v2, 'full')).toHaveLength(2);
    expect(avroBreakingChanges(v1, v2, 'none')).toEqual([]);
  });

  it('uses Avro resolution when both versions are Avro, JSON Schema otherwise', () => {
    const json = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };
    const wider = {
      type: 'object',
      properties: { id: { type: 'string' }, n: { type: 'integer' } },
      required: ['id', 'n'],
    };
    expect(breakingChanges({ jsonSchema: json }, { jsonSchema: wider }, 'backward')).toEqual([
      { path: 'n', change: 'required property added', from: 'absent', to: 'integer' },
    ]);
    const avroNext = record([{ name: 'id', type: 'long' }]);
    expect(
      breakingChanges(
        { jsonSchema: json, avroSchema: v1 },
        { jsonSchema: wider, avroSchema: avroNext },
        'backward',
      ),
    ).toEqual([]);
  });
});
