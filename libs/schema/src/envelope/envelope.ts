import { ENVELOPE_PREVIEW_LENGTH } from '../constants.js';
import { EnvelopeEncodeError } from '../errors/envelope-encode.error.js';
import { EnvelopeInvalidSchemaRefError } from '../errors/envelope-invalid-schema-ref.error.js';
import { EnvelopeMissingDataError } from '../errors/envelope-missing-data.error.js';
import { EnvelopeMissingSchemaError } from '../errors/envelope-missing-schema.error.js';
import { EnvelopeNotJsonError } from '../errors/envelope-not-json.error.js';
import { EnvelopeNotObjectError } from '../errors/envelope-not-object.error.js';
import { EnvelopeNotUtf8Error } from '../errors/envelope-not-utf8.error.js';
import { EnvelopeTooDeepError } from '../errors/envelope-too-deep.error.js';
import { InvalidSchemaRefError } from '../errors/invalid-schema-ref.error.js';
import { formatSchemaRef, parseSchemaRef, type SchemaRef } from '../ref/schema-ref.js';
import { stripUnsafeKeys } from '../validation/strip-unsafe-keys.js';
import { inspectData, MAX_DATA_DEPTH } from './data-limits.js';

/** A decoded envelope: which schema the data claims to follow, and the (not yet validated) data. */
export interface DecodedEnvelope {
  readonly schema: SchemaRef;
  /** The reference as written, `Id:version` (canonical: parsing is strict). */
  readonly ref: string;
  /** As parsed, at most `MAX_DATA_DEPTH` levels deep and without `__proto__`/`constructor`/`prototype` keys. */
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
 * Decodes an envelope with a single `JSON.parse` of strictly decoded UTF-8. Throws (all `EnvelopeError`s):
 * `EnvelopeNotUtf8Error`, `EnvelopeNotJsonError`, `EnvelopeNotObjectError`, `EnvelopeMissingSchemaError`,
 * `EnvelopeInvalidSchemaRefError`, `EnvelopeMissingDataError`, `EnvelopeTooDeepError`. The data is returned as
 * parsed, bounded in depth and with unsafe keys removed: validate it before use.
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
  return { schema, ref, data: boundedData(ref, envelope.data) };
}

/** One walk: deep documents are refused before anything recursive sees them; unsafe keys are removed. */
function boundedData(ref: string, data: unknown): unknown {
  const shape = inspectData(data, MAX_DATA_DEPTH);
  if (shape === 'too-deep') throw new EnvelopeTooDeepError(ref, MAX_DATA_DEPTH);
  return shape === 'unsafe-keys' ? stripUnsafeKeys(data) : data;
}

/** Strict: invalid UTF-8 is refused, never replaced with U+FFFD (which would change the data silently). */
const utf8 = new TextDecoder('utf-8', { fatal: true });

function toText(bytes: Buffer | Uint8Array | string): string {
  if (typeof bytes === 'string') return bytes;
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw new EnvelopeNotUtf8Error(bytes.byteLength, error);
  }
}
