import type avro from 'avsc';
import type { AvroSchema } from '../codecs/avro.codec.js';
import { errorMessage } from '../codecs/error-message.js';
import type { BreakingChange } from '../json-schema/compare-schemas.js';
import type { SchemaCompatibility } from '../interfaces/schema-options.interface.js';
import { compileAvroSchema } from './avro-type.js';
import { avsc } from './avsc.js';

/**
 * The changes from `previous` to `next` that break `mode`, judged by Avro schema resolution (avsc's
 * `createResolver`, the Avro specification's rules): `backward`, the new schema reads data written with the
 * previous one (a new field needs a default, a type may only be promoted, e.g. `int` → `long`); `forward`, the
 * previous schema reads data written with the new one (a removed field needs a default in the previous schema);
 * `full`, both; `none`, nothing. Each change names the field and its old and new types. Throws
 * `MissingAvscError` when avsc is not installed.
 */
export function avroBreakingChanges(
  previous: AvroSchema | avro.Type,
  next: AvroSchema | avro.Type,
  mode: SchemaCompatibility,
): BreakingChange[] {
  const previousType = asType(previous);
  const nextType = asType(next);
  const found: BreakingChange[] = [];
  if (mode === 'backward' || mode === 'full') {
    found.push(...unreadable(nextType, previousType, 'new'));
  }
  if (mode === 'forward' || mode === 'full') {
    found.push(...unreadable(previousType, nextType, 'previous'));
  }
  return found;
}

/** Why `reader` cannot read data written with `writer` (empty if it can). */
function unreadable(reader: avro.Type, writer: avro.Type, readerIs: 'new' | 'previous'): BreakingChange[] {
  try {
    reader.createResolver(writer);
    return [];
  } catch (error) {
    const found: BreakingChange[] = [];
    walk(reader, writer, '', readerIs, found);
    const why =
      readerIs === 'new'
        ? 'the new version cannot read the previous one'
        : 'the previous version cannot read the new one';
    return found.length > 0
      ? found
      : [{ path: '(root)', change: `${why}: ${errorMessage(error)}`, ...types(reader, writer, readerIs) }];
  }
}

function walk(
  reader: avro.Type,
  writer: avro.Type,
  path: string,
  readerIs: 'new' | 'previous',
  found: BreakingChange[],
) {
  const { RecordType } = avsc().types;
  if (!(reader instanceof RecordType) || !(writer instanceof RecordType)) {
    if (!resolves(reader, writer))
      found.push({ path: path || '(root)', change: 'type changed', ...types(reader, writer, readerIs) });
    return;
  }
  for (const field of reader.fields) {
    const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
    const written = writer.fields.find(
      (candidate) => candidate.name === field.name || field.aliases.includes(candidate.name),
    );
    if (written === undefined) {
      if (field.defaultValue() === undefined) {
        found.push(
          readerIs === 'new'
            ? {
                path: fieldPath,
                change: 'field added without a default',
                from: 'absent',
                to: nameOf(field.type),
              }
            : {
                path: fieldPath,
                change: 'field removed (it has no default in the previous version)',
                from: nameOf(field.type),
                to: 'absent',
              },
        );
      }
    } else if (!resolves(field.type, written.type)) {
      walk(field.type, written.type, fieldPath, readerIs, found);
    }
  }
}

function resolves(reader: avro.Type, writer: avro.Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    // The resolver's refusal is the answer: the caller names the change.
    return false;
  }
}

function types(
  reader: avro.Type,
  writer: avro.Type,
  readerIs: 'new' | 'previous',
): { from: string; to: string } {
  return readerIs === 'new'
    ? { from: nameOf(writer), to: nameOf(reader) }
    : { from: nameOf(reader), to: nameOf(writer) };
}

/** `long`, `long/timestamp-millis`, `null|string`, `array<string>`, `map<long>`, a record's name. */
function nameOf(type: avro.Type): string {
  return schemaName(type.schema({ exportAttrs: true }));
}

function schemaName(schema: unknown): string {
  if (typeof schema === 'string') return schema;
  if (Array.isArray(schema)) return schema.map(schemaName).join('|');
  const node = schema as {
    type?: unknown;
    logicalType?: unknown;
    items?: unknown;
    values?: unknown;
    name?: unknown;
  };
  if (typeof node.logicalType === 'string') return `${schemaName(node.type)}/${node.logicalType}`;
  if (node.type === 'array') return `array<${schemaName(node.items)}>`;
  if (node.type === 'map') return `map<${schemaName(node.values)}>`;
  return typeof node.name === 'string' ? node.name : schemaName(node.type);
}

function asType(schema: AvroSchema | avro.Type): avro.Type {
  return schema instanceof avsc().Type ? schema : compileAvroSchema(schema);
}
