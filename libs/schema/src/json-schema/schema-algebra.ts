import type { JsonSchema } from './json-schema.interface.js';

type MutableSchema = Record<string, unknown>;

/**
 * The intersection of `schemas` (a value must match each), written as one schema object where keywords do not
 * collide (`{type:'string'}` and `{pattern:'x'}` become `{type:'string', pattern:'x'}`), `type`s intersected
 * (`number` and `integer` give `integer`), and an `allOf` for the rest. `anyOf` branches the merged `type`
 * excludes are dropped.
 */
export function allOf(schemas: readonly JsonSchema[]): JsonSchema {
  const merged: MutableSchema = {};
  const rest: JsonSchema[] = [];
  for (const schema of schemas) {
    if (Object.keys(schema).length === 0) continue;
    if (!mergeInto(merged, schema)) rest.push(schema);
  }
  pruneAnyOf(merged);
  if (rest.length === 0) return merged;
  return { ...merged, allOf: rest };
}

function mergeInto(merged: MutableSchema, schema: JsonSchema): boolean {
  const next: MutableSchema = { ...merged };
  for (const [key, value] of Object.entries(schema)) {
    if (!(key in next)) {
      next[key] = value;
    } else if (key === 'type') {
      const type = intersectTypes(next.type, value);
      if (type === undefined) return false;
      next.type = type;
    } else if (JSON.stringify(next[key]) !== JSON.stringify(value)) {
      return false;
    }
  }
  Object.assign(merged, next);
  return true;
}

function typesOf(type: unknown): string[] {
  return Array.isArray(type) ? (type as string[]) : [type as string];
}

function intersectTypes(a: unknown, b: unknown): string | string[] | undefined {
  const right = typesOf(b);
  const result = new Set<string>();
  for (const type of typesOf(a)) {
    if (right.includes(type)) result.add(type);
    else if (type === 'integer' && right.includes('number')) result.add('integer');
    else if (type === 'number' && right.includes('integer')) result.add('integer');
  }
  if (result.size === 0) return undefined;
  const list = [...result];
  return list.length === 1 ? list[0] : list;
}

/** Drops `anyOf` branches of a type the schema's `type` excludes; a single branch left is merged in. */
function pruneAnyOf(merged: MutableSchema): void {
  if (merged.type === undefined || !Array.isArray(merged.anyOf)) return;
  const allowed = typesOf(merged.type);
  const kept = (merged.anyOf as JsonSchema[]).filter((branch) => {
    const type = branchType(branch);
    return (
      type === undefined ||
      typesOf(type).some((t) => allowed.includes(t) || (t === 'integer' && allowed.includes('number')))
    );
  });
  if (kept.length === 1) {
    const { anyOf: _dropped, ...others } = merged;
    const candidate: MutableSchema = { ...others };
    if (mergeInto(candidate, kept[0] as JsonSchema)) {
      delete merged.anyOf;
      Object.assign(merged, candidate);
      return;
    }
  }
  merged.anyOf = kept;
}

/** The JSON type a branch requires, when it says: definitions (`$ref`) are always objects here. */
function branchType(branch: JsonSchema): unknown {
  if (typeof branch.$ref === 'string') return 'object';
  return branch.type;
}

/** Keywords that only constrain values of their own JSON type: `null` passes them. */
const TYPE_SCOPED = new Set([
  'type',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'contains',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  '$comment',
  'description',
]);

/**
 * `schema` or `null` (what `@IsOptional()` adds). Written `"type": [..., "null"]` (with `null` added to an
 * `enum`) when every other keyword only constrains its own type, as an `anyOf` otherwise.
 */
export function nullable(schema: JsonSchema): JsonSchema {
  if (Object.keys(schema).length === 0) return schema;
  if (Object.keys(schema).join() === 'enum' && Array.isArray(schema.enum)) {
    return schema.enum.includes(null) ? schema : { enum: [...schema.enum, null] };
  }
  const keys = Object.keys(schema).filter((key) => key !== 'enum');
  if (schema.type !== undefined && keys.every((key) => TYPE_SCOPED.has(key))) {
    const types = typesOf(schema.type);
    const withNull: MutableSchema = { ...schema, type: types.includes('null') ? types : [...types, 'null'] };
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) withNull.enum = [...schema.enum, null];
    return withNull;
  }
  return { anyOf: [{ type: 'null' }, schema] };
}
