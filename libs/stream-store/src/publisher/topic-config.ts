import type { SchemaMetadata } from '@samsa/schema';

/** Topic-level configs a schema asks for when samsa creates a topic: `retention.ms` from its retention (seconds). */
export function topicConfigFor(
  schema: Pick<SchemaMetadata, 'retention'> | undefined,
): Record<string, string> {
  return schema?.retention === undefined ? {} : { 'retention.ms': String(schema.retention * 1000) };
}
