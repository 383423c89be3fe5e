import { ENVELOPE_PREVIEW_LENGTH } from '../constants.js';
import { EnvelopeEncodeError } from '../errors/envelope-encode.error.js';
import { EnvelopeInvalidSchemaRefError } from '../errors/envelope-invalid-schema-ref.error.js';
import { EnvelopeMissingDataError } from '../errors/envelope-missing-data.error.js';
import { EnvelopeMissingSchemaError } from '../errors/envelope-missing-schema.error.js';
import { EnvelopeNotJsonError } from '../errors/envelope-not-json.error.js';
import { EnvelopeNotObjectError } from '../errors/envelope-not-object.error.js';
import { InvalidSchemaRefError } from '../errors/invalid-schema-ref.error.js';
import { formatSchemaRef, parseSchemaRef, type SchemaRef } from '../ref/schema-ref.js';

/** A decoded envelope: which schema the data claims to follow, and the (not yet validated) data. */
export interface DecodedEnvelope {
  readonly schema: SchemaRef;
  /** The reference as written, `Id:version` (canonical: parsing is strict). */
  readonly ref: string;
  readonly data: unknown;
}

/** Parsed references by their text: a topic carries few schema versions, parsed once each. */
const parsedRefs = new Map<string, SchemaRef>();
const PARSED_REFS_LIMIT = 1024;

function parseRefCached(ref: string): SchemaRef {
  let schema = parsedRefs.get(ref);
  if (schema === undefined) {
    schema = Object.freeze(parseSchemaRef(ref));
    if (parsedRefs.size >= PARSED_REFS_LIMIT) parsedRefs.clear();
    parsedRefs.set(ref, schema);
  }
  return schema;
}

/**
 * Encodes `{"schema":"Id:version","data":...}` as UTF-8 JSON bytes. Throws `InvalidSchemaRefError` for an invalid
 * reference and `EnvelopeEncodeError` when `data` is `undefined` or cannot be serialised (BigInt, cycles).
 */
export function encodeEnvelope(ref: SchemaRef | string, data: unknown): Buffer {
  const schema = typeof ref === 'string' ? formatSchemaRef(parseSchemaRef(ref)) : formatSchemaRef(ref);
  if (data === undefined || typeof data === 'function' || typeof data === 'symbol') {
    throw new EnvelopeEncodeError(
      schema,
      `data is ${typeof data}, which has no JSON form; send null for an empty payload.`,
    );
  }
  let json: string;
  try {
    json = JSON.stringify({ schema, data });
  } catch (error) {
    throw new EnvelopeEncodeError(
      schema,
      `data is not JSON-serialisable (${error instanceof Error ? error.message : String(error)}); ` +
        'convert BigInts to strings and remove cycles.',
      error,
    );
  }
  return Buffer.from(json, 'utf8');
}

/**
 * Decodes an envelope with a single `JSON.parse`. Throws (all `EnvelopeError`s): `EnvelopeNotJsonError`,
 * `EnvelopeNotObjectError`, `EnvelopeMissingSchemaError`, `EnvelopeInvalidSchemaRefError`,
 * `EnvelopeMissingDataError`. The data is returned as parsed: validate it before use.
 */
export function decodeEnvelope(bytes: Buffer | Uint8Array | string): DecodedEnvelope {
  const text = toText(bytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EnvelopeNotJsonError(text.slice(0, ENVELOPE_PREVIEW_LENGTH), error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EnvelopeNotObjectError(
      parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed,
    );
  }
  const envelope = parsed as { schema?: unknown; data?: unknown };
  const ref = envelope.schema;
  if (ref === undefined) throw new EnvelopeMissingSchemaError();
  if (typeof ref !== 'string') {
    throw new EnvelopeInvalidSchemaRefError(
      ref,
      new InvalidSchemaRefError(ref, 'expected a string "Id:version"'),
    );
  }
  let schema: SchemaRef;
  try {
    schema = parseRefCached(ref);
  } catch (error) {
    if (!(error instanceof InvalidSchemaRefError)) throw error;
    throw new EnvelopeInvalidSchemaRefError(ref, error);
  }
  if (!Object.hasOwn(envelope, 'data')) throw new EnvelopeMissingDataError(ref);
  return { schema, ref, data: envelope.data };
}

function toText(bytes: Buffer | Uint8Array | string): string {
  if (typeof bytes === 'string') return bytes;
  if (Buffer.isBuffer(bytes)) return bytes.toString('utf8');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
