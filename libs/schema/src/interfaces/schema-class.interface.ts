/** A message class: anything `new`-able. `@Schema()` marks it as a message contract. */
export type SchemaClass<T = object> = new (...args: never[]) => T;
