// The message every case sends and handles: a small @Schema contract padded to a target size.
import { encodeEnvelope, Schema } from '@samsa/schema';
import { IsIn, IsInt, IsNumber, IsString } from 'class-validator';

export const BENCH_SCHEMA = 'BenchEvent:1';
/** Distinct keys in the preloaded topics (the stateful cases keep one counter per key). */
export const KEY_COUNT = 10_000;

@Schema('BenchEvent', { version: 1 })
export class BenchEvent {
  @IsInt() seq!: number;
  @IsString() key!: string;
  @IsIn(['created', 'updated', 'deleted']) kind!: string;
  /** `performance.now()` when sent, for the latency cases; 0 elsewhere. */
  @IsNumber() sentAt!: number;
  @IsString() body!: string;
}

export const keyOf = (seq: number): string => `k${seq % KEY_COUNT}`;

const paddings = new Map<number, string>();
/** The padding that makes event `seq` encode to `bytes` (padded for the widest seq, so sizes barely vary). */
function padding(bytes: number): string {
  let pad = paddings.get(bytes);
  if (pad === undefined) {
    const widest = encodeEnvelope(BENCH_SCHEMA, { ...fields(9_999_999, 0), body: '' }).length;
    pad = 'x'.repeat(Math.max(0, bytes - widest));
    paddings.set(bytes, pad);
  }
  return pad;
}

const fields = (seq: number, sentAt: number) => ({ seq, key: keyOf(seq), kind: 'created', sentAt });

/** Event `seq`, about `bytes` long once in its envelope. */
export function benchEvent(seq: number, bytes: number, sentAt = 0): BenchEvent {
  return Object.assign(new BenchEvent(), fields(seq, sentAt), { body: padding(bytes) });
}

/** The envelope bytes of event `seq`: what the preloaded topics hold. */
export function benchEnvelope(seq: number, bytes: number, sentAt = 0): Buffer {
  return encodeEnvelope(BENCH_SCHEMA, { ...benchEvent(seq, bytes, sentAt) });
}
