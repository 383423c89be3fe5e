import { AVRO_CONTENT_TYPE, CONTENT_TYPE_HEADER, SCHEMA_HEADER } from '@samsa/schema';
import type { RecordHeaders, RecordHeaderValue } from '../kafka/kafka-client.interface.js';

/** What a record's headers say of its encoding. */
export type RecordFormat =
  /** `content-type: avro/binary`, with the writer's `Id:version` from `samsa.schema` if present. */
  | { readonly codec: 'avro'; readonly writerRef?: string }
  /** `content-type: application/json` (or `+json`): samsa's JSON envelope. */
  | { readonly codec: 'json' }
  /** No (or another) content type: the handler's schema class decides. */
  | { readonly codec: undefined };

const BY_CLASS: RecordFormat = Object.freeze({ codec: undefined });
const JSON_FORMAT: RecordFormat = Object.freeze({ codec: 'json' });

/**
 * Reads `content-type` (and `samsa.schema` for Avro). Records from services that set no content type (most
 * Kafka producers) are read as the handler's class declares (`codec` of its `@Schema()`).
 */
export function recordFormat(headers: RecordHeaders): RecordFormat {
  const contentType = headerText(headers[CONTENT_TYPE_HEADER])?.split(';')[0].trim().toLowerCase();
  if (contentType === AVRO_CONTENT_TYPE) {
    const writerRef = headerText(headers[SCHEMA_HEADER]);
    return writerRef === undefined ? { codec: 'avro' } : { codec: 'avro', writerRef };
  }
  if (contentType === 'application/json' || contentType?.endsWith('+json')) return JSON_FORMAT;
  return BY_CLASS;
}

/** A header's text (the first value of a repeated header). */
function headerText(value: RecordHeaderValue): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
