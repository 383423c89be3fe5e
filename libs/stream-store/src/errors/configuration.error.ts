import { StreamStoreError } from './stream-store.error.js';

/** Wrong configuration: thrown at startup, the message says what to change. */
export class ConfigurationError extends StreamStoreError {}
