import { lazyModule, type KafkajsCodec } from './kafkajs-codec.js';

const lz4 = lazyModule('lz4-napi', () => import('lz4-napi'));

/** Kafka's LZ4 is the LZ4 frame format (KIP-57), which lz4-napi reads and writes. */
export const lz4Codec: KafkajsCodec = {
  async compress(encoder) {
    return (await lz4()).compressFrame(encoder.buffer);
  },
  async decompress(buffer) {
    return (await lz4()).decompressFrame(buffer);
  },
};
