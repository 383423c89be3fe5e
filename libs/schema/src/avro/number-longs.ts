import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import type { AvroSchema } from '../codecs/avro.codec.js';
import { IS_BIG_INT } from '../decorators/is-big-int.decorator.js';
import { classTransformerStorage } from '../validation/class-transformer-storage.js';

type Class = abstract new (...args: never[]) => unknown;

/** A copy of an Avro schema whose `long`s read as `number` are listed in `numberLongs` (by object identity). */
export interface MarkedAvroSchema {
  readonly schema: AvroSchema;
  readonly numberLongs: WeakSet<object>;
}

/**
 * Decides which `long`s read as `bigint`: those of properties the class declares `bigint` (the type, or
 * `@IsBigInt()`, `each` included); every other `long` reads as a `number` (an error past 2^53, never a rounded
 * value). Record fields are matched to the class's properties by name, nested records through `@Type()`.
 */
export function markNumberLongs(schema: AvroSchema, target: Class): MarkedAvroSchema {
  const numberLongs = new WeakSet<object>();
  const mark = (node: unknown, owner: Class | undefined, bigint: boolean): unknown => {
    if (node === 'long' || (isObject(node) && node.type === 'long' && node.logicalType === undefined)) {
      if (bigint) return node;
      const marked = { type: 'long' };
      numberLongs.add(marked);
      return marked;
    }
    if (Array.isArray(node)) return node.map((branch) => mark(branch, owner, bigint));
    if (!isObject(node)) return node;
    if (node.type === 'array') return { ...node, items: mark(node.items, owner, bigint) };
    if (node.type === 'map') return { ...node, values: mark(node.values, owner, bigint) };
    if (node.type === 'record' && Array.isArray(node.fields)) {
      const fields = (node.fields as Array<Record<string, unknown>>).map((field) => {
        const name = String(field.name);
        const nested = owner && nestedClass(owner, name);
        return {
          ...field,
          type: mark(field.type, nested ?? owner, owner !== undefined && declaresBigInt(owner, name)),
        };
      });
      return { ...node, fields };
    }
    if (isObject(node.type) || Array.isArray(node.type))
      return { ...node, type: mark(node.type, owner, bigint) };
    return node;
  };
  return { schema: mark(schema, target, false) as AvroSchema, numberLongs };
}

function declaresBigInt(target: Class, property: string): boolean {
  if (Reflect.getMetadata('design:type', target.prototype as object, property) === BigInt) return true;
  return getMetadataStorage()
    .getTargetValidationMetadatas(target as never, '', true, false)
    .some((check) => check.propertyName === property && check.name === IS_BIG_INT);
}

function nestedClass(target: Class, property: string): Class | undefined {
  const nested = classTransformerStorage.findTypeMetadata(target as never, property)?.typeFunction();
  return typeof nested === 'function' && nested !== Date && nested !== Object ? (nested as Class) : undefined;
}

function isObject(node: unknown): node is Record<string, unknown> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}
