/** Options of `@Schema()`. */
export interface SchemaOptions {
  /** Version of the contract: a positive integer. Default: `1`. */
  version?: number;
  /** How long messages of this schema are kept, in seconds (a positive integer). Default: unset (the topic's default). */
  retention?: number;
  /** Streams (topics) that carry this schema. Default: `[]`. */
  streams?: readonly string[];
}
