import { StreamStoreError } from './stream-store.error.js';

/**
 * A fetched record batch could not be decompressed: it is corrupt, or its codec could not be
 * loaded. Not retriable - fetching it again gives the same bytes - so the consumer stops and health
 * reports it instead of restarting on the same batch for ever.
 */
export class UndecodableRecordBatchError extends StreamStoreError {
  constructor(
    readonly codec: string,
    readonly compressedBytes: number,
    cause: unknown,
  ) {
    super(
      `A record batch compressed with ${codec} (${compressedBytes} bytes) could not be decompressed: ` +
        `${cause instanceof Error ? cause.message : String(cause)}. The consumer cannot read past it. ` +
        'If the batch is corrupt, move the group past it (kafka-consumer-groups.sh --reset-offsets ' +
        '--to-offset <next offset> --topic <topic>:<partition>) and restart; if a codec failed to load, ' +
        'reinstall dependencies on this platform.',
      { cause, retriable: false },
    );
  }
}
