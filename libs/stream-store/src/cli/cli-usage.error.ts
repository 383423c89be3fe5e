import { StreamStoreError } from '../errors/stream-store.error.js';

/** A bad flag or a module that cannot be loaded: the CLI prints the message and exits 2. */
export class CliUsageError extends StreamStoreError {}
