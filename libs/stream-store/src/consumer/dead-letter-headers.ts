import type { KafkaRecord, RecordHeaders } from '../kafka/kafka-client.interface.js';

/** Headers added to every dead letter; the original key, value and headers are kept. */
export const DEAD_LETTER_HEADERS = {
  topic: 'samsa.dlq.topic',
  partition: 'samsa.dlq.partition',
  offset: 'samsa.dlq.offset',
  errorClass: 'samsa.dlq.error-class',
  errorMessage: 'samsa.dlq.error-message',
  attempts: 'samsa.dlq.attempts',
  handler: 'samsa.dlq.handler',
  time: 'samsa.dlq.time',
} as const;

/**
 * Bounds, in UTF-8 bytes, of the header values a dead letter takes from its error and handler: an error
 * message may quote the record (a 5 MB schema reference, twice), and the dead letter must still fit
 * wherever its record fit. Longer values are cut and end with a marker saying how long they were.
 */
export const DEAD_LETTER_TEXT_LIMITS = { errorMessage: 2048, errorClass: 128, handler: 256 } as const;

/**
 * At most this many bytes of `samsa.dlq.*` headers (names, values, record framing) are added to a
 * record: the bounds above, a topic name (≤ 249), numbers and a timestamp. Dead-letter topics samsa
 * creates get this much more room than their source.
 */
export const DEAD_LETTER_OVERHEAD_BYTES = 4096;

export interface DeadLetter {
  record: KafkaRecord;
  error: unknown;
  attempts: number;
  handler: string;
}

/**
 * The headers of a dead letter: the record's own (copied into a null-prototype object, so a header
 * named `__proto__` stays an ordinary one; repeated names keep all their values) and the `samsa.dlq.*`
 * ones, which replace any the record already had (a dead letter dead-lettered again).
 */
export function deadLetterHeaders(
  { record, error, attempts, handler }: DeadLetter,
  time: Date,
): RecordHeaders {
  const headers = Object.assign(Object.create(null) as RecordHeaders, record.headers);
  const failure = describeFailure(error);
  headers[DEAD_LETTER_HEADERS.topic] = record.topic;
  headers[DEAD_LETTER_HEADERS.partition] = String(record.partition);
  headers[DEAD_LETTER_HEADERS.offset] = record.offset;
  headers[DEAD_LETTER_HEADERS.errorClass] = boundedText(
    failure.className,
    DEAD_LETTER_TEXT_LIMITS.errorClass,
  );
  headers[DEAD_LETTER_HEADERS.errorMessage] = boundedText(
    failure.message,
    DEAD_LETTER_TEXT_LIMITS.errorMessage,
  );
  headers[DEAD_LETTER_HEADERS.attempts] = String(attempts);
  headers[DEAD_LETTER_HEADERS.handler] = boundedText(handler, DEAD_LETTER_TEXT_LIMITS.handler);
  headers[DEAD_LETTER_HEADERS.time] = time.toISOString();
  return headers;
}

/**
 * `text` when it fits in `maxBytes` of UTF-8, else its start (cut between characters) and
 * `…[<n> bytes]`, `n` being the full length, all within `maxBytes`.
 */
export function boundedText(text: string, maxBytes: number): string {
  const total = Buffer.byteLength(text, 'utf8');
  if (total <= maxBytes) return text;
  const marker = `…[${total} bytes]`;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(marker, 'utf8'));
  // Each UTF-16 unit is at least one UTF-8 byte: the first `budget` units hold the first `budget` bytes.
  const units = isHighSurrogate(text.charCodeAt(budget - 1)) ? budget - 1 : budget;
  const head = Buffer.from(text.slice(0, units), 'utf8');
  let end = Math.min(budget, head.length);
  while (end > 0 && end < head.length && isContinuationByte(head[end])) end--;
  return head.subarray(0, end).toString('utf8') + marker;
}

function isContinuationByte(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The class and message of whatever was thrown; a value that cannot describe itself still gets a line. */
function describeFailure(error: unknown): { className: string; message: string } {
  if (error instanceof Error) {
    const className = typeof error.constructor === 'function' ? error.constructor.name : error.name;
    return { className: className || 'Error', message: String(error.message) };
  }
  try {
    return { className: typeof error, message: String(error) };
  } catch {
    return { className: typeof error, message: `a thrown ${typeof error} that cannot be turned into text` };
  }
}
