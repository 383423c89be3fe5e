import { createAvroCodec } from '../avro/avro-wire.js';
import { DuplicateSchemaError } from '../errors/duplicate-schema.error.js';
import { InvalidSchemaOptionsError } from '../errors/invalid-schema-options.error.js';
import { NotASchemaClassError } from '../errors/not-a-schema-class.error.js';
import type { SchemaClass } from '../interfaces/schema-class.interface.js';
import type { SchemaDefinition } from '../interfaces/schema-definition.interface.js';
import { getSchemaMetadata } from '../metadata/schema-metadata.accessor.js';
import { formatSchemaRef, type SchemaRef } from '../ref/schema-ref.js';
import { describeClass } from '../metadata/describe-class.js';

/**
 * The schemas an application knows, by `Id:version` and by class. Create one per application (or per test):
 * it holds no global state.
 */
export class SchemaRegistry {
  private readonly byRef = new Map<string, SchemaDefinition>();
  private readonly byClass = new Map<SchemaClass<unknown>, SchemaDefinition>();
  private readonly byConfluentId = new Map<number, SchemaDefinition>();

  /**
   * Registers `@Schema()` classes. Registering the same class again is a no-op. Throws `NotASchemaClassError` for
   * an undecorated class, `DuplicateSchemaError` when another class already claims the same `Id:version`,
   * `InvalidSchemaOptionsError` when another class claims the same `confluentId`, and, for an Avro class,
   * `AvroSchemaDerivationError` or `CodecError` when its Avro schema cannot be made; in every case nothing from
   * this call is registered.
   */
  register(...classes: SchemaClass<unknown>[]): this {
    const pending = new Map<string, SchemaDefinition>();
    for (const target of classes) {
      if (this.byClass.has(target)) continue;
      const definition = toDefinition(target);
      const existing = this.byRef.get(definition.ref) ?? pending.get(definition.ref);
      if (existing !== undefined && existing.target !== target) {
        throw new DuplicateSchemaError(definition.ref, existing.target.name, target.name);
      }
      pending.set(definition.ref, definition);
    }
    const confluentIds = new Map(this.byConfluentId);
    for (const definition of pending.values()) {
      if (definition.confluentId === undefined) continue;
      const claimed = confluentIds.get(definition.confluentId);
      if (claimed !== undefined && claimed.target !== definition.target) {
        throw new InvalidSchemaOptionsError(
          definition.target.name,
          `confluentId ${definition.confluentId} is already the id of ${claimed.ref} (class ${claimed.target.name}): each version has its own id.`,
        );
      }
      confluentIds.set(definition.confluentId, definition);
    }
    for (const definition of pending.values()) {
      this.byRef.set(definition.ref, definition);
      this.byClass.set(definition.target, definition);
      if (definition.confluentId !== undefined) this.byConfluentId.set(definition.confluentId, definition);
    }
    return this;
  }

  /** The schema for a reference (`{ id, version }` or `'Id:version'`), or `undefined`. Never throws. */
  get<T = object>(ref: SchemaRef | string): SchemaDefinition<T> | undefined {
    const key = typeof ref === 'string' ? ref : `${ref.id}:${ref.version}`;
    return this.byRef.get(key) as SchemaDefinition<T> | undefined;
  }

  /** The schema of a registered class, or `undefined` if the class is not registered here. */
  getByClass<T>(target: SchemaClass<T>): SchemaDefinition<T> | undefined {
    return this.byClass.get(target) as SchemaDefinition<T> | undefined;
  }

  /** The Avro schema whose `confluentId` is `id`, or `undefined`. */
  getByConfluentId<T = object>(id: number): SchemaDefinition<T> | undefined {
    return this.byConfluentId.get(id) as SchemaDefinition<T> | undefined;
  }

  /** The Confluent ids of registered schemas, ascending. */
  confluentIds(): number[] {
    return [...this.byConfluentId.keys()].sort((a, b) => a - b);
  }

  /** Whether a reference (`{ id, version }` or `'Id:version'`) or a class is registered. */
  has(refOrClass: SchemaRef | string | SchemaClass<unknown>): boolean {
    return typeof refOrClass === 'function'
      ? this.byClass.has(refOrClass)
      : this.get(refOrClass) !== undefined;
  }

  /** Registered versions of a schema id, ascending (empty if the id is unknown). */
  versions(id: string): number[] {
    const versions: number[] = [];
    for (const definition of this.byRef.values()) {
      if (definition.id === id) versions.push(definition.version);
    }
    return versions.sort((a, b) => a - b);
  }

  /** The highest registered version of a schema id, or `undefined`. */
  latest(id: string): SchemaDefinition | undefined {
    const versions = this.versions(id);
    return versions.length === 0 ? undefined : this.get({ id, version: versions[versions.length - 1] });
  }

  /** Every registered schema, sorted by id then version. */
  all(): SchemaDefinition[] {
    return [...this.byRef.values()].sort((a, b) =>
      a.id === b.id ? a.version - b.version : a.id < b.id ? -1 : 1,
    );
  }
}

function toDefinition(target: SchemaClass<unknown>): SchemaDefinition {
  const metadata = getSchemaMetadata(target);
  if (metadata === undefined) throw new NotASchemaClassError(describeClass(target));
  // A class constructs objects; `unknown` only widens what callers (e.g. Nest's Type<unknown>) may pass in.
  const schemaClass = target as SchemaClass;
  const ref = formatSchemaRef(metadata);
  const avro = metadata.codec === 'avro' ? createAvroCodec(schemaClass, metadata, ref) : undefined;
  return Object.freeze({ ...metadata, ref, target: schemaClass, ...(avro === undefined ? {} : { avro }) });
}
