/** What `@Schema()` records on a class (frozen). */
export interface SchemaMetadata {
  /** Schema id, e.g. `Content`. */
  readonly id: string;
  /** Positive integer version. */
  readonly version: number;
  /** Retention in seconds, if declared. */
  readonly retention?: number;
  /** Streams that carry the schema (a copy of the decorator's list). */
  readonly streams: readonly string[];
}
