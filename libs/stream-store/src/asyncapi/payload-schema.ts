import type { JsonSchema, SchemaDefinition } from '@samsa/schema';
import { toJsonSchema } from '@samsa/schema';

const DEFS_POINTER = '#/$defs/';

/** `Order:1` → `Order_v1`: a component key (letters, digits, `.`, `-`, `_`) that survives code generators. */
export function componentKey(definition: Pick<SchemaDefinition, 'id' | 'version'>): string {
  return `${definition.id}_v${definition.version}`;
}

/**
 * A schema's JSON Schema as a component of the document at `pointer` (e.g. `#/components/schemas/Order_v1`): without
 * `$schema` and `$id`, which would change how its `$ref`s resolve, and with `#/$defs/...` references pointing
 * into the component itself, since inside the document `#` is the document's root.
 */
export function embeddedSchema(definition: SchemaDefinition, pointer: string): JsonSchema {
  const { $schema: _dialect, $id: _id, ...schema } = toJsonSchema(definition.target);
  return rewriteRefs(schema, `${pointer}/$defs/`) as JsonSchema;
}

/** The wire format of samsa's messages: the JSON envelope `{"schema":"Id:version","data":...}`. */
export function envelopeSchema(ref: string | undefined, data: JsonSchema | undefined): JsonSchema {
  return {
    type: 'object',
    required: ['schema', 'data'],
    properties: {
      schema: ref
        ? { type: 'string', const: ref, description: 'The schema reference `Id:version`.' }
        : {
            type: 'string',
            pattern: '^[A-Za-z0-9_.-]+:[1-9][0-9]*$',
            description: 'A schema reference `Id:version`.',
          },
      data: data ?? { description: 'The message, as the schema named in `schema` describes it.' },
    },
  };
}

function rewriteRefs(node: unknown, defsPointer: string): unknown {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item, defsPointer));
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    copy[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith(DEFS_POINTER)
        ? defsPointer + value.slice(DEFS_POINTER.length)
        : rewriteRefs(value, defsPointer);
  }
  return copy;
}
