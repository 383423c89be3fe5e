/** A JSON Schema document or sub-schema, as plain JSON. */
export interface JsonSchema {
  readonly [keyword: string]: unknown;
}
