/** The shape KafkaJS expects of a compression codec (its `CompressionCodecs` factories return one). */
export interface KafkajsCodec {
  /** `encoder.buffer` holds the uncompressed record set. */
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/**
 * Loads a codec package on first use, so an application that never meets a codec never loads its
 * native binary, and a platform without one fails only for that codec, saying which package.
 */
export function lazyModule<T>(packageName: string, load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw new Error(
        `The compression package ${packageName} could not be loaded on ${process.platform}/${process.arch}: ` +
          `${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    });
    return loading;
  };
}
