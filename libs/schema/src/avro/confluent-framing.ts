import { CodecError } from '../errors/codec.error.js';

/** First byte of the Confluent wire format (its only version so far). */
export const CONFLUENT_MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

/** The Confluent wire format: byte 0, the schema's registry id as a 4-byte big-endian integer, the Avro binary. */
export function frameConfluent(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt8(CONFLUENT_MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}

/** The schema id and the Avro binary of a Confluent-framed value. Throws `CodecError` for other bytes. */
export function readConfluentFrame(value: Buffer, schemaName: string): { schemaId: number; payload: Buffer } {
  if (value.length < HEADER_LENGTH || value[0] !== CONFLUENT_MAGIC_BYTE) {
    throw new CodecError(
      'avro',
      schemaName,
      'decode',
      `the value is not in the Confluent wire format (byte 0, then a 4-byte schema id): it starts with 0x${value.subarray(0, HEADER_LENGTH).toString('hex')}; ` +
        'the producer must use a Confluent Avro serializer, or remove confluentId from the @Schema() to read plain Avro',
    );
  }
  return { schemaId: value.readInt32BE(1), payload: value.subarray(HEADER_LENGTH) };
}
