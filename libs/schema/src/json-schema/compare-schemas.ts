import type { JsonSchema } from './json-schema.interface.js';
import { stableStringify } from './stable-stringify.js';

/** Versions of the two documents given to `compareSchemas()`. */
export interface CompareSchemasOptions {
  readonly previousVersion: number;
  readonly nextVersion: number;
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
  const report: Report = { addedRequired: [], addedOptional: [], removed: [], typeChanged: [], changed: [] };
  const identical = stableStringify(withoutNaming(previous)) === stableStringify(withoutNaming(next));
  if (!identical) {
    new SchemaWalker(previous, next, report).compare(previous, next, '', new Set());
    const listed = Object.values(report).some((list) => list.length > 0);
    if (!listed) report.changed.push('(document)');
  }
  const breaking = report.addedRequired.length + report.removed.length + report.typeChanged.length > 0;
  const compatible = options.previousVersion === options.nextVersion ? identical : !breaking;
  return { compatible, identical, ...report };
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
    this.compareProperties(previous, next, path, inside);
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
      } else if (!Object.hasOwn(previousProperties, name)) {
        (nextRequired.has(name) ? this.report.addedRequired : this.report.addedOptional).push(childPath);
      } else {
        if (nextRequired.has(name) && !previousRequired.has(name)) this.report.addedRequired.push(childPath);
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
  if (names.length === 0) return 'any';
  return names
    .map((name) =>
      name === 'array' && schema.items !== undefined && depth < 8
        ? `array<${typeName(document, resolve(document, schema.items), depth + 1)}>`
        : name,
    )
    .join('|');
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
