import { lazyModule, type KafkajsCodec } from './kafkajs-codec.js';

const snappy = lazyModule('snappy', () => import('snappy'));

/**
 * Java producers write snappy in xerial's framing: a 16-byte header (magic, version, compatible
 * version), then blocks of [int32 length][raw snappy]. librdkafka and KafkaJS codecs write raw
 * snappy. Both are read; batches are written framed, as Java does (every client reads that).
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_VERSION = 1;
const XERIAL_HEADER_BYTES = 16;
/** Uncompressed bytes per block, as xerial's SnappyOutputStream writes by default. */
const BLOCK_BYTES = 32 * 1024;

export const snappyCodec: KafkajsCodec = {
  async compress({ buffer }) {
    const { compress } = await snappy();
    const header = Buffer.alloc(XERIAL_HEADER_BYTES);
    XERIAL_MAGIC.copy(header);
    header.writeInt32BE(XERIAL_VERSION, 8);
    header.writeInt32BE(XERIAL_VERSION, 12);
    const parts: Buffer[] = [header];
    for (let start = 0; start < buffer.length; start += BLOCK_BYTES) {
      const block = await compress(buffer.subarray(start, start + BLOCK_BYTES));
      const length = Buffer.alloc(4);
      length.writeInt32BE(block.length);
      parts.push(length, block);
    }
    return Buffer.concat(parts);
  },

  async decompress(buffer) {
    const { uncompress } = await snappy();
    const raw = async (block: Buffer) => uncompress(block, { asBuffer: true }) as Promise<Buffer>;
    if (!isXerialFramed(buffer)) return raw(buffer);
    const blocks: Buffer[] = [];
    let offset = XERIAL_HEADER_BYTES;
    while (offset < buffer.length) {
      if (offset + 4 > buffer.length) throw new Error('A xerial snappy block length is cut off');
      const length = buffer.readInt32BE(offset);
      offset += 4;
      if (length < 0 || offset + length > buffer.length)
        throw new Error(`A xerial snappy block of ${length} bytes runs past the end of the batch`);
      blocks.push(await raw(buffer.subarray(offset, offset + length)));
      offset += length;
    }
    return Buffer.concat(blocks);
  },
};

function isXerialFramed(buffer: Buffer): boolean {
  return buffer.length >= XERIAL_HEADER_BYTES && buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}
