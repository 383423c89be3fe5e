import { lazyModule, type KafkajsCodec } from './kafkajs-codec.js';

const zstd = lazyModule('@mongodb-js/zstd', () => import('@mongodb-js/zstd'));

/** Zstandard frames, also those written by streaming encoders (Java's) without a content size. */
export const zstdCodec: KafkajsCodec = {
  async compress(encoder) {
    return (await zstd()).compress(encoder.buffer);
  },
  async decompress(buffer) {
    return (await zstd()).decompress(buffer);
  },
};
