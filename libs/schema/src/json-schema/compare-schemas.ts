import type { SchemaCompatibility } from '../interfaces/schema-options.interface.js';
import type { JsonSchema } from './json-schema.interface.js';
import { stableStringify } from './stable-stringify.js';

/** Versions of the two documents given to `compareSchemas()`. */
export interface CompareSchemasOptions {
  readonly previousVersion: number;
  readonly nextVersion: number;
  /**
   * Judge a new version as Confluent Schema Registry does: `backward` (the new version accepts every message
   * valid under the previous one), `forward` (the previous version accepts every message valid under the new
   * one), `full` (both) or `none`. Default: unset, the historical rule (no required property added, none
   * removed, no type changed).
   */
  readonly mode?: SchemaCompatibility;
}

/** A change that breaks the compatibility asked for. */
export interface BreakingChange {
  /** The property, e.g. `author.email`, `items[].name` or `(root)`. */
  readonly path: string;
  /** What changed, e.g. `required property added`, `type changed`, `required property removed`. */
  readonly change: string;
  /** The previous version's type (`absent` for a property it did not have). */
  readonly from: string;
  /** The new version's type (`absent` for a property it no longer has). */
  readonly to: string;
}

/** A property whose type differs between two schemas. */
export interface TypeChange {
  /** e.g. `author.email` or `items[].name`. */
  readonly path: string;
  /** e.g. `string`, `integer|null`, `array<object>`. */
  readonly from: string;
  readonly to: string;
}

/** What changed between two JSON Schema documents, and whether consumers survive the change. */
export interface CompatibilityReport {
  /**
   * Same version: the documents are identical. New version: no required property was added (or made required),
   * no property was removed and no type changed.
   */
  readonly compatible: boolean;
  /** The documents are equal, ignoring `$id`, `title` and `$schema` of the root (which name the version). */
  readonly identical: boolean;
  /** Properties added as required, or that became required. */
  readonly addedRequired: readonly string[];
  /** Properties added as optional. */
  readonly addedOptional: readonly string[];
  /** Properties that no longer exist. */
  readonly removed: readonly string[];
  readonly typeChanged: readonly TypeChange[];
  /** Properties (or `(root)`, or `(document)`) whose other keywords changed, e.g. `maxLength`, `format`, `enum`. */
  readonly changed: readonly string[];
  /** With a `mode`: the changes that break it, each naming the property and its old and new types. */
  readonly breaking: readonly BreakingChange[];
}

const ROOT_NAMING_KEYWORDS = ['$id', 'title', '$schema'];
const STRUCTURAL_KEYWORDS = new Set([
  '$ref',
  '$defs',
  'definitions',
  'type',
  'properties',
  'required',
  'items',
  'anyOf',
  'oneOf',
]);

/**
 * Compares two versions of a message's JSON Schema (as produced by `toJsonSchema()`). With the same version the
 * documents must be identical: any difference makes them incompatible. With a new version, adding required
 * properties, removing properties and changing types are incompatible; adding optional properties and changing
 * other keywords are listed but allowed. Properties are walked through `$ref`s (within each document) and array
 * `items`.
 */
export function compareSchemas(
  previous: JsonSchema,
  next: JsonSchema,
  options: CompareSchemasOptions,
): CompatibilityReport {
  const report: Report = {
    addedRequired: [],
    addedOptional: [],
    removed: [],
    typeChanged: [],
    changed: [],
  };
  const details: Details = { types: new Map(), removedRequired: new Set(), madeOptional: [] };
  const identical = stableStringify(withoutNaming(previous)) === stableStringify(withoutNaming(next));
  if (!identical) {
    new SchemaWalker(previous, next, report, details).compare(previous, next, '', new Set());
    const listed = Object.values(report).some((list) => list.length > 0);
    if (!listed) report.changed.push('(document)');
  }
  const breaking = options.mode === undefined ? [] : breakingChanges(report, details, options.mode);
  const compatible =
    options.previousVersion === options.nextVersion
      ? identical
      : options.mode === undefined
        ? report.addedRequired.length + report.removed.length + report.typeChanged.length === 0
        : breaking.length === 0;
  return { compatible, identical, ...report, breaking };
}

/** What the walk learns beyond the report: property types, and which removed properties were required. */
interface Details {
  /** `previous` and `next` type names of added and removed properties. */
  types: Map<string, { from: string; to: string }>;
  removedRequired: Set<string>;
  madeOptional: string[];
}

function breakingChanges(report: Report, details: Details, mode: SchemaCompatibility): BreakingChange[] {
  const backward = mode === 'backward' || mode === 'full';
  const forward = mode === 'forward' || mode === 'full';
  const typeOf = (path: string) => details.types.get(path) ?? { from: 'absent', to: 'absent' };
  const found: BreakingChange[] = [];
  if (backward) {
    for (const path of report.addedRequired) {
      const { from, to } = typeOf(path);
      found.push({
        path,
        change: from === 'absent' ? 'required property added' : 'property made required',
        from,
        to,
      });
    }
  }
  if (forward) {
    for (const path of report.removed) {
      if (details.removedRequired.has(path)) {
        found.push({ path, change: 'required property removed', ...typeOf(path) });
      }
    }
    for (const path of details.madeOptional)
      found.push({ path, change: 'property made optional', ...typeOf(path) });
  }
  for (const { path, from, to } of report.typeChanged) {
    const widened = typesInclude(to, from);
    const narrowed = typesInclude(from, to);
    if ((backward && !widened) || (forward && !narrowed))
      found.push({ path, change: 'type changed', from, to });
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Whether every value of type `inner` is one of type `outer` (`integer` is a `number`). */
function typesInclude(outer: string, inner: string): boolean {
  const outerTypes = new Set(splitTypes(outer));
  if (outerTypes.has('any')) return true;
  return splitTypes(inner).every(
    (type) => outerTypes.has(type) || (type === 'integer' && outerTypes.has('number')),
  );
}

/** `integer|null` → `integer`, `null`; `array<string|null>` stays whole. */
function splitTypes(name: string): string[] {
  const types: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < name.length; index++) {
    if (name[index] === '<') depth++;
    else if (name[index] === '>') depth--;
    else if (name[index] === '|' && depth === 0) {
      types.push(name.slice(start, index));
      start = index + 1;
    }
  }
  types.push(name.slice(start));
  return types;
}

interface Report {
  addedRequired: string[];
  addedOptional: string[];
  removed: string[];
  typeChanged: TypeChange[];
  changed: string[];
}

class SchemaWalker {
  constructor(
    private readonly previousDocument: JsonSchema,
    private readonly nextDocument: JsonSchema,
    private readonly report: Report,
    private readonly details: Details,
  ) {}

  compare(previousNode: unknown, nextNode: unknown, path: string, seen: ReadonlySet<string>): void {
    const visit = `${refOf(previousNode)}>${refOf(nextNode)}`;
    if (seen.has(visit)) return;
    const inside = visit === '>' ? seen : new Set([...seen, visit]);
    const previous = resolve(this.previousDocument, previousNode);
    const next = resolve(this.nextDocument, nextNode);
    const from = typeName(this.previousDocument, previous);
    const to = typeName(this.nextDocument, next);
    if (from !== to) {
      this.report.typeChanged.push({ path: path || '(root)', from, to });
      return;
    }
    if (stableStringify(otherKeywords(previous, path)) !== stableStringify(otherKeywords(next, path))) {
      this.report.changed.push(path || '(root)');
    }
    if (previous.items !== undefined || next.items !== undefined) {
      this.compare(previous.items, next.items, `${path}[]`, inside);
    }
    this.compareProperties(
      objectPart(this.previousDocument, previous),
      objectPart(this.nextDocument, next),
      path,
      inside,
    );
  }

  private previousType(node: unknown): string {
    return typeName(this.previousDocument, resolve(this.previousDocument, node));
  }

  private nextType(node: unknown): string {
    return typeName(this.nextDocument, resolve(this.nextDocument, node));
  }

  private compareProperties(
    previous: JsonSchema,
    next: JsonSchema,
    path: string,
    seen: ReadonlySet<string>,
  ): void {
    const previousProperties = propertiesOf(previous);
    const nextProperties = propertiesOf(next);
    const previousRequired = requiredOf(previous);
    const nextRequired = requiredOf(next);
    const names = [...new Set([...Object.keys(previousProperties), ...Object.keys(nextProperties)])].sort();
    for (const name of names) {
      const childPath = path === '' ? name : `${path}.${name}`;
      if (!Object.hasOwn(nextProperties, name)) {
        this.report.removed.push(childPath);
        if (previousRequired.has(name)) this.details.removedRequired.add(childPath);
        this.details.types.set(childPath, {
          from: this.previousType(previousProperties[name]),
          to: 'absent',
        });
      } else if (!Object.hasOwn(previousProperties, name)) {
        (nextRequired.has(name) ? this.report.addedRequired : this.report.addedOptional).push(childPath);
        this.details.types.set(childPath, { from: 'absent', to: this.nextType(nextProperties[name]) });
      } else {
        const types = {
          from: this.previousType(previousProperties[name]),
          to: this.nextType(nextProperties[name]),
        };
        if (nextRequired.has(name) && !previousRequired.has(name)) {
          this.report.addedRequired.push(childPath);
          this.details.types.set(childPath, types);
        }
        if (previousRequired.has(name) && !nextRequired.has(name)) {
          this.details.madeOptional.push(childPath);
          this.details.types.set(childPath, types);
        }
        this.compare(previousProperties[name], nextProperties[name], childPath, seen);
      }
    }
  }
}

function withoutNaming(document: JsonSchema): JsonSchema {
  const copy: Record<string, unknown> = { ...document };
  for (const keyword of ROOT_NAMING_KEYWORDS) delete copy[keyword];
  return copy;
}

function asSchema(node: unknown): JsonSchema {
  return typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as JsonSchema) : {};
}

function refOf(node: unknown): string {
  const ref = asSchema(node).$ref;
  return typeof ref === 'string' ? ref : '';
}

/** Follows local `$ref`s (`#/...` JSON pointers) inside `document`; an unresolvable reference gives `{}`. */
function resolve(document: JsonSchema, node: unknown, depth = 0): JsonSchema {
  const schema = asSchema(node);
  const ref = refOf(schema);
  if (!ref.startsWith('#') || depth > 32) return schema;
  let target: unknown = document;
  for (const segment of ref
    .slice(1)
    .split('/')
    .filter((part) => part !== '')) {
    target = asSchema(target)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return resolve(document, target, depth + 1);
}

/** A short description of a schema's type: `string`, `integer|null`, `array<string>`, `object`, `any`. */
function typeName(document: JsonSchema, schema: JsonSchema, depth = 0): string {
  const type = schema.type;
  const names = Array.isArray(type) ? [...type].map(String).sort() : type === undefined ? [] : [String(type)];
  if (names.length === 0) {
    if (schema.properties !== undefined) names.push('object');
    else if (schema.items !== undefined) names.push('array');
  }
  if (names.length === 0 && depth < 8) {
    const branchNames = branchesOf(document, schema).flatMap((branch) =>
      splitTypes(typeName(document, branch, depth + 1)),
    );
    names.push(...[...new Set(branchNames)].sort());
  }
  if (names.length === 0 || names.includes('any')) return 'any';
  return names
    .map((name) =>
      name === 'array' && schema.items !== undefined && depth < 8
        ? `array<${typeName(document, resolve(document, schema.items), depth + 1)}>`
        : name,
    )
    .join('|');
}

/** The resolved branches of an `anyOf` or `oneOf` (empty without either). */
function branchesOf(document: JsonSchema, schema: JsonSchema): JsonSchema[] {
  const list = schema.anyOf ?? schema.oneOf;
  return Array.isArray(list) ? list.map((branch) => resolve(document, branch)) : [];
}

/** Where a schema's properties are: itself, or its first `anyOf`/`oneOf` branch that has properties. */
function objectPart(document: JsonSchema, schema: JsonSchema): JsonSchema {
  if (schema.properties !== undefined) return schema;
  return branchesOf(document, schema).find((branch) => branch.properties !== undefined) ?? schema;
}

function propertiesOf(schema: JsonSchema): Record<string, unknown> {
  return asSchema(schema.properties) as Record<string, unknown>;
}

function requiredOf(schema: JsonSchema): ReadonlySet<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
}

function otherKeywords(schema: JsonSchema, path: string): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (STRUCTURAL_KEYWORDS.has(keyword)) continue;
    if (path === '' && ROOT_NAMING_KEYWORDS.includes(keyword)) continue;
    rest[keyword] = value;
  }
  return rest;
}
