/** Reflect-metadata key under which `@Schema()` stores a class's {@link SchemaMetadata}. */
export const SCHEMA_METADATA = 'samsa:schema';

/** Version given to a schema when `@Schema()` names none. */
export const DEFAULT_SCHEMA_VERSION = 1;

/** Allowed characters of a schema id: letters, digits, `_`, `.` and `-`. */
export const SCHEMA_ID_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** A schema reference string, `Id:version`, e.g. `Content:1` (no leading zeros in the version). */
export const SCHEMA_REF_PATTERN = /^([A-Za-z0-9_.-]+):([1-9][0-9]*)$/;

/** Keys that are removed from incoming message data before it becomes an object. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** `$id` prefix of JSON Schema documents produced by `toJsonSchema()`, followed by `Id:version`. */
export const JSON_SCHEMA_ID_PREFIX = 'urn:samsa:schema:';

/** JSON Schema dialect of the documents produced by `toJsonSchema()`. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** How many characters of an undecodable message `EnvelopeNotJsonError` keeps for logs. */
export const ENVELOPE_PREVIEW_LENGTH = 60;
