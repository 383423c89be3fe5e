/** Turns values into bytes and back. Implementations throw `CodecError` naming the codec and the schema. */
export interface Codec<T = unknown> {
  /** Short name for logs and errors, e.g. `json` or `avro`. */
  readonly name: string;
  encode(value: T): Buffer;
  decode(bytes: Buffer): T;
}
