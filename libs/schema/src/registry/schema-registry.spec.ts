import { describe, expect, it } from 'vitest';
import { Schema } from '../decorators/schema.decorator.js';
import { DuplicateSchemaError } from '../errors/duplicate-schema.error.js';
import { NotASchemaClassError } from '../errors/not-a-schema-class.error.js';
import { SchemaRegistry } from './schema-registry.js';

@Schema('Content', { version: 1, retention: 3600, streams: ['content.edited'] })
class ContentV1 {}

@Schema('Content', { version: 2 })
class ContentV2 {}

@Schema('Content', { version: 10 })
class ContentV10 {}

@Schema('Author')
class AuthorV1 {}

@Schema('Content', { version: 1 })
class ContentImpostor {}

describe('SchemaRegistry', () => {
  it('registers classes and looks them up by reference, string and class', () => {
    const registry = new SchemaRegistry().register(ContentV1, ContentV2);

    const definition = registry.get('Content:1');
    expect(definition).toEqual({
      id: 'Content',
      version: 1,
      ref: 'Content:1',
      retention: 3600,
      streams: ['content.edited'],
      codec: 'json',
      compatibility: 'backward',
      target: ContentV1,
    });
    expect(Object.isFrozen(definition)).toBe(true);
    expect(registry.get({ id: 'Content', version: 2 })?.target).toBe(ContentV2);
    expect(registry.getByClass(ContentV2)).toBe(registry.get('Content:2'));
    expect(registry.get('Content:3')).toBeUndefined();
    expect(registry.get('not a ref')).toBeUndefined();
    expect(registry.getByClass(AuthorV1)).toBeUndefined();
  });

  it('answers has() for references, strings and classes', () => {
    const registry = new SchemaRegistry().register(ContentV1);
    expect(registry.has('Content:1')).toBe(true);
    expect(registry.has({ id: 'Content', version: 1 })).toBe(true);
    expect(registry.has(ContentV1)).toBe(true);
    expect(registry.has('Content:2')).toBe(false);
    expect(registry.has(ContentV2)).toBe(false);
  });

  it('lists versions numerically and all schemas by id then version', () => {
    const registry = new SchemaRegistry().register(ContentV10, AuthorV1, ContentV2, ContentV1);
    expect(registry.versions('Content')).toEqual([1, 2, 10]);
    expect(registry.versions('Missing')).toEqual([]);
    expect(registry.latest('Content')?.target).toBe(ContentV10);
    expect(registry.latest('Missing')).toBeUndefined();
    expect(registry.all().map((definition) => definition.ref)).toEqual([
      'Author:1',
      'Content:1',
      'Content:2',
      'Content:10',
    ]);
  });

  it('treats registering the same class twice as a no-op', () => {
    const registry = new SchemaRegistry().register(ContentV1).register(ContentV1, ContentV1);
    expect(registry.all()).toHaveLength(1);
    expect(registry.get('Content:1')?.target).toBe(ContentV1);
  });

  it('refuses a second class claiming the same Id:version, naming both classes', () => {
    const registry = new SchemaRegistry().register(ContentV1);
    expect(() => registry.register(ContentImpostor)).toThrow(DuplicateSchemaError);
    expect(() => registry.register(ContentImpostor)).toThrow(
      'Schema Content:1 is claimed by two classes: ContentV1 and ContentImpostor. ' +
        "Give one of them another id, or bump its version (@Schema('Id', { version: n + 1 })).",
    );
    expect(registry.get('Content:1')?.target).toBe(ContentV1);
    expect(registry.has(ContentImpostor)).toBe(false);
  });

  it('detects duplicates within one call and registers nothing from that call', () => {
    const registry = new SchemaRegistry();
    try {
      registry.register(ContentV2, ContentV1, ContentImpostor);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DuplicateSchemaError);
      expect(error).toMatchObject({
        ref: 'Content:1',
        existingClass: 'ContentV1',
        duplicateClass: 'ContentImpostor',
      });
    }
    expect(registry.all()).toEqual([]);
  });

  it('refuses classes without @Schema()', () => {
    class Plain {}
    expect(() => new SchemaRegistry().register(Plain)).toThrow(NotASchemaClassError);
    expect(() => new SchemaRegistry().register(Plain)).toThrow(
      "Plain is not a message schema: decorate the class with @Schema('Id', { version: 1 }).",
    );
  });

  it('keeps state per instance', () => {
    const first = new SchemaRegistry().register(ContentV1);
    const second = new SchemaRegistry().register(ContentImpostor);
    expect(first.get('Content:1')?.target).toBe(ContentV1);
    expect(second.get('Content:1')?.target).toBe(ContentImpostor);
  });

  it('finds Avro schemas by Confluent id and refuses an id claimed twice', () => {
    const fields = [{ name: 'id', type: 'long' }];
    @Schema('Paid', { avroSchema: { type: 'record', name: 'Paid', fields }, confluentId: 42 })
    class PaidV1 {}
    @Schema('Refunded', { avroSchema: { type: 'record', name: 'Refunded', fields }, confluentId: 42 })
    class Refunded {}
    const registry = new SchemaRegistry().register(PaidV1);
    expect(registry.getByConfluentId(42)?.target).toBe(PaidV1);
    expect(registry.getByConfluentId(41)).toBeUndefined();
    expect(registry.confluentIds()).toEqual([42]);
    expect(registry.getByConfluentId(42)?.avro?.type.name).toBe('Paid');
    expect(() => registry.register(Refunded)).toThrow(/confluentId 42 is already the id of Paid:1/);
    expect(registry.has(Refunded)).toBe(false);
  });
});
