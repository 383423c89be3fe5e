import { StreamStoreError } from '../errors/stream-store.error.js';

/** A command that could not do its work (Kafka or a database unreachable): the CLI prints the message and exits 1. */
export class CliFailureError extends StreamStoreError {}
