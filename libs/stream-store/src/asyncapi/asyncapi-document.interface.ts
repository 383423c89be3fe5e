import type { JsonSchema } from '@samsa/schema';

// The parts of an AsyncAPI 3.0 document that samsa writes. Plain JSON: `JSON.stringify` gives the file.

/** A JSON Reference into the same document, e.g. `{ $ref: '#/components/messages/Order_v1' }`. */
export interface AsyncApiReference {
  $ref: string;
}

export interface AsyncApiServer {
  /** `host:port` of one bootstrap broker. */
  host: string;
  protocol: 'kafka';
  description?: string;
}

/** A payload schema in another format than AsyncAPI's JSON Schema, e.g. an Avro schema. */
export interface AsyncApiMultiFormatSchema {
  /** e.g. `application/vnd.apache.avro;version=1.9.0`. */
  schemaFormat: string;
  schema: unknown;
}

export interface AsyncApiMessage {
  /** The schema reference carried in the envelope (in the `samsa.schema` header for Avro), or a generic name. */
  name: string;
  title: string;
  summary?: string;
  /** `application/json` for samsa's envelope, `avro/binary` for Avro schemas. */
  contentType: string;
  /** The Kafka record headers samsa writes (Avro schemas). */
  headers?: JsonSchema;
  /** The envelope's JSON Schema, or for Avro schemas the Avro schema. */
  payload: JsonSchema | AsyncApiMultiFormatSchema;
  /** For Avro schemas with a `confluentId`: the value starts with the Confluent frame (magic byte, schema id). */
  bindings?: {
    kafka: { schemaIdLocation: 'payload'; schemaIdPayloadEncoding: 'confluent'; bindingVersion: string };
  };
}

export interface AsyncApiChannel {
  /**
   * The Kafka topic (prefix applied); for a handler's glob, the glob with the prefix, or `null` (unknown) when it
   * holds `?`, `#`, `{` or `}`, which AsyncAPI reads as URL or parameter syntax.
   */
  address: string | null;
  title: string;
  description?: string;
  /** For a handler's glob: the glob, prefix applied. */
  'x-samsa-glob'?: string;
  /** Message id → reference to `components.messages`. */
  messages: Record<string, AsyncApiReference>;
  bindings?: { kafka: { topic: string; bindingVersion: string } };
}

export interface AsyncApiOperation {
  action: 'send' | 'receive';
  channel: AsyncApiReference;
  title: string;
  summary?: string;
  /** References to messages of the operation's channel. */
  messages: AsyncApiReference[];
  bindings?: { kafka: { groupId: JsonSchema; bindingVersion: string } };
}

export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description?: string };
  defaultContentType: string;
  servers?: Record<string, AsyncApiServer>;
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, AsyncApiOperation>;
  components: {
    /** The JSON Schema of each registered schema's data, by `<Id>_v<version>`. */
    schemas: Record<string, JsonSchema>;
    /** One message per registered schema (its envelope, or its Avro binary), by `<Id>_v<version>`, and generic ones. */
    messages: Record<string, AsyncApiMessage>;
  };
}
