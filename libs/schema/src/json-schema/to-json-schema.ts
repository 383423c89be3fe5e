import { getMetadataStorage } from 'class-validator';
// class-validator-jsonschema's `@JSONSchema()` keeps its overrides under a private symbol: its own reader is
// the one way to honour them (the package has no "exports" map, so the deep path is stable for Node).
import { getMetadataSchema } from 'class-validator-jsonschema/build/decorators.js';
import { JSON_SCHEMA_DIALECT, JSON_SCHEMA_ID_PREFIX } from '../constants.js';
import { NotASchemaClassError } from '../errors/not-a-schema-class.error.js';
import type { SchemaClass } from '../interfaces/schema-class.interface.js';
import { describeClass } from '../metadata/describe-class.js';
import { getSchemaMetadata } from '../metadata/schema-metadata.accessor.js';
import { formatSchemaRef } from '../ref/schema-ref.js';
import { DuplicateDefinitionNameError } from './duplicate-definition-name.error.js';
import type { JsonSchema } from './json-schema.interface.js';
import { propertySchema, type AnyClass, type PropertyMetadata } from './property-schema.js';
import { sortKeysDeep } from './stable-stringify.js';

const DEFS_POINTER = '#/$defs/';

/**
 * Which generator wrote a document, in its root `$comment`: generation 2 derives each check's schema so that it
 * never rejects what validation accepts. Documents published by generation 1 (class-validator-jsonschema's
 * converters) have no `$comment`: a reader can tell them apart and republish them.
 */
export const JSON_SCHEMA_GENERATION = 2;
export const JSON_SCHEMA_GENERATION_COMMENT = `samsa toJsonSchema generation ${JSON_SCHEMA_GENERATION}`;

/**
 * The JSON Schema (draft 2020-12) of a `@Schema()` class, derived from its class-validator decorators so that
 * every message samsa's validation accepts validates against it (with or without format assertion), and as
 * strict as JSON Schema can say: `docs/contract.md` lists each decorator's schema, and the decorators whose
 * schema is looser than the check. class-validator-jsonschema's `@JSONSchema()` on a property or class
 * overrides the result (an object replaces the keywords it names; a function receives the generated schema).
 *
 * The document is self-contained: nested classes (`@ValidateNested()` + `@Type()`) are in `$defs` and
 * referenced as `#/$defs/ClassName` (nested classes must have distinct names). `$id` is
 * `urn:samsa:schema:Id:version` and `title` is `Id:version`. Keys are sorted recursively (and `required` lists
 * sorted), so the same class always gives a byte-identical `JSON.stringify`. Unknown properties are allowed:
 * validation strips them.
 */
export function toJsonSchema(target: SchemaClass): JsonSchema {
  const metadata = getSchemaMetadata(target);
  if (metadata === undefined) throw new NotASchemaClassError(describeClass(target));
  const ref = formatSchemaRef(metadata);
  const definitions = new Map<string, { type: AnyClass; schema?: JsonSchema }>();
  const nestedRef = (type: AnyClass): string => {
    const known = definitions.get(type.name);
    if (known && known.type !== type)
      throw new DuplicateDefinitionNameError(describeClass(target), type.name);
    if (!known) {
      definitions.set(type.name, { type });
      definitions.get(type.name)!.schema = classSchema(type, nestedRef);
    }
    return `${DEFS_POINTER}${type.name}`;
  };
  const root = classSchema(target, nestedRef);
  const defs = Object.fromEntries([...definitions].map(([name, { schema }]) => [name, schema ?? {}]));
  return sortKeysDeep({
    ...root,
    $schema: JSON_SCHEMA_DIALECT,
    $id: `${JSON_SCHEMA_ID_PREFIX}${ref}`,
    $comment: JSON_SCHEMA_GENERATION_COMMENT,
    title: ref,
    ...(definitions.size > 0 ? { $defs: defs } : {}),
  });
}

function classSchema(target: AnyClass, nestedRef: (type: AnyClass) => string): JsonSchema {
  // The same call, with the same options, that validation makes: inherited decorators included.
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(target, '', false, false, undefined);
  const byProperty = new Map<string, PropertyMetadata[]>();
  for (const metadata of metadatas) {
    byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), metadata]);
  }
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, list] of byProperty) {
    const property = propertySchema(target, name, list, nestedRef);
    properties[name] = override(property.schema, getMetadataSchema(target.prototype as object, name));
    if (property.required) required.push(name);
  }
  const schema: JsonSchema = {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required: required.sort() } : {}),
  };
  return override(schema, getMetadataSchema(target.prototype as object, target.name));
}

/** Applies a `@JSONSchema()` override: an object replaces the keywords it names, a function gets the schema. */
function override(schema: JsonSchema, custom: ReturnType<typeof getMetadataSchema>): JsonSchema {
  if (typeof custom === 'function') return custom(schema as never, {} as never) as JsonSchema;
  return Object.keys(custom).length === 0 ? schema : { ...schema, ...(custom as JsonSchema) };
}
