import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import { compress as rawSnappy } from 'snappy';
import { describe, expect, it } from 'vitest';
import { UndecodableRecordBatchError } from '../../../errors/undecodable-record-batch.error.js';
import { registerCompressionCodecs } from './compression-codecs.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;
type Codec = { compress(e: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> };
const codec = (type: keyof typeof CompressionCodecs): Codec => CompressionCodecs[type]() as Codec;

/** Compressible but not trivial: 100 KiB of repeated JSON with random ids (several snappy blocks). */
const recordSet = Buffer.from(
  Array.from(
    { length: 1200 },
    (_, i) => `{"schema":"X:1","data":{"i":${i},"id":"${randomBytes(4).toString('hex')}"}}`,
  ).join(''),
);

describe('registerCompressionCodecs', () => {
  registerCompressionCodecs();

  it.each([
    ['gzip', CompressionTypes.GZIP],
    ['snappy', CompressionTypes.Snappy],
    ['lz4', CompressionTypes.LZ4],
    ['zstd', CompressionTypes.ZSTD],
  ] as const)('%s: what is compressed decompresses to the same bytes', async (_name, type) => {
    const compressed = await codec(type).compress({ buffer: recordSet });
    expect(compressed.length).toBeLessThan(recordSet.length);
    expect((await codec(type).decompress(compressed)).equals(recordSet)).toBe(true);
  });

  it('writes snappy in xerial framing (as Java does) and reads raw snappy (as librdkafka writes)', async () => {
    const framed = await codec(CompressionTypes.Snappy).compress({ buffer: recordSet });
    expect(framed.subarray(0, 8)).toEqual(Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]));
    // 100 KiB in 32 KiB blocks: four blocks after the 16-byte header.
    let blocks = 0;
    for (let offset = 16; offset < framed.length; offset += 4 + framed.readInt32BE(offset)) blocks++;
    expect(blocks).toBe(Math.ceil(recordSet.length / (32 * 1024)));
    const raw = await rawSnappy(recordSet);
    expect((await codec(CompressionTypes.Snappy).decompress(raw)).equals(recordSet)).toBe(true);
  });

  it.each([
    ['gzip', CompressionTypes.GZIP],
    ['snappy', CompressionTypes.Snappy],
    ['lz4', CompressionTypes.LZ4],
    ['zstd', CompressionTypes.ZSTD],
  ] as const)(
    '%s: a corrupt batch fails as a non-retriable UndecodableRecordBatchError',
    async (name, type) => {
      const compressed = await codec(type).compress({ buffer: recordSet });
      const corrupt = Buffer.from(compressed.subarray(0, compressed.length >> 1));
      const error = await codec(type)
        .decompress(corrupt)
        .then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
      expect(error).toBeInstanceOf(UndecodableRecordBatchError);
      expect(error).toMatchObject({ codec: name, compressedBytes: corrupt.length, retriable: false });
    },
  );

  it('is idempotent: registering again keeps the same codecs (gzip is not wrapped twice)', () => {
    const before = [1, 2, 3, 4].map((type) => CompressionCodecs[type as keyof typeof CompressionCodecs]);
    registerCompressionCodecs();
    const after = [1, 2, 3, 4].map((type) => CompressionCodecs[type as keyof typeof CompressionCodecs]);
    expect(after).toEqual(before);
  });
});
