import kafkajs from 'kafkajs';
import { UndecodableRecordBatchError } from '../../../errors/undecodable-record-batch.error.js';
import type { KafkajsCodec } from './kafkajs-codec.js';
import { lz4Codec } from './lz4-codec.js';
import { snappyCodec } from './snappy-codec.js';
import { zstdCodec } from './zstd-codec.js';

// KafkaJS is CommonJS whose exports Node's ESM loader cannot all name: read them from the default.
const { CompressionCodecs, CompressionTypes, KafkaJSNotImplemented } = kafkajs;

type CodecFactory = () => KafkajsCodec;

/** The codecs KafkaJS lacks (it has gzip only). */
const MISSING: ReadonlyArray<[type: keyof typeof CompressionCodecs, name: string, codec: KafkajsCodec]> = [
  [CompressionTypes.Snappy, 'snappy', snappyCodec],
  [CompressionTypes.LZ4, 'lz4', lz4Codec],
  [CompressionTypes.ZSTD, 'zstd', zstdCodec],
];

/** Factories put in place here: registering again leaves them alone. */
const registered = new WeakSet<CodecFactory>();

/**
 * Makes KafkaJS (process-wide: its codec table is module state) read and write every codec Kafka
 * producers use. A codec the application registered itself is kept; gzip stays KafkaJS's own. Each
 * decompression failure becomes an `UndecodableRecordBatchError` (not retriable): a batch that
 * cannot be decoded stops its consumer visibly instead of restarting it on the same batch for ever.
 * Idempotent.
 */
export function registerCompressionCodecs(): void {
  const gzip: CodecFactory = CompressionCodecs[CompressionTypes.GZIP];
  if (!registered.has(gzip)) install(CompressionTypes.GZIP, guarded('gzip', gzip()));
  for (const [type, name, codec] of MISSING) {
    const current: CodecFactory = CompressionCodecs[type];
    if (!registered.has(current) && isPlaceholder(current)) install(type, guarded(name, codec));
  }
}

function install(type: keyof typeof CompressionCodecs, codec: KafkajsCodec): void {
  const factory: CodecFactory = () => codec;
  registered.add(factory);
  CompressionCodecs[type] = factory;
}

/** KafkaJS's stand-in for a codec it does not have throws KafkaJSNotImplemented when asked for it. */
function isPlaceholder(factory: CodecFactory): boolean {
  try {
    factory();
    return false;
  } catch (error) {
    return error instanceof KafkaJSNotImplemented;
  }
}

function guarded(name: string, codec: KafkajsCodec): KafkajsCodec {
  return {
    compress: (encoder) => codec.compress(encoder),
    async decompress(buffer) {
      try {
        return await codec.decompress(buffer);
      } catch (error) {
        throw new UndecodableRecordBatchError(name, buffer.length, error);
      }
    },
  };
}
