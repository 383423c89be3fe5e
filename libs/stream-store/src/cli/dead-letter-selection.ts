import { DEAD_LETTER_HEADERS } from '../consumer/dead-letter-headers.js';
import type { KafkaRecord, RecordHeaders, RecordHeaderValue } from '../kafka/kafka-client.interface.js';
import { CliUsageError } from './cli-usage.error.js';

/** What `--filter` can match: the dead letter's header, by the name the flag uses. */
const FILTER_HEADERS = {
  'error-class': DEAD_LETTER_HEADERS.errorClass,
  handler: DEAD_LETTER_HEADERS.handler,
  topic: DEAD_LETTER_HEADERS.topic,
} as const;

export type FilterField = keyof typeof FILTER_HEADERS;

export interface DeadLetterFilter {
  field: FilterField;
  value: string;
}

/** `error-class=MessageValidationError` → a filter; anything else is a usage error saying what works. */
export function parseFilter(text: string): DeadLetterFilter {
  const equals = text.indexOf('=');
  const field = text.slice(0, Math.max(0, equals));
  const value = text.slice(equals + 1);
  if (equals <= 0 || !(field in FILTER_HEADERS) || value === '') {
    throw new CliUsageError(
      `--filter takes <field>=<value> with field ${Object.keys(FILTER_HEADERS).join(', ')}, e.g. ` +
        `error-class=MessageValidationError; got ${JSON.stringify(text)}`,
    );
  }
  return { field: field as FilterField, value };
}

/** A dead letter as the DLQ commands see it: where it failed, why, and what it was. */
export interface DeadLetterView {
  record: KafkaRecord;
  /** The topic it failed on (`samsa.dlq.topic`), if the letter says. */
  originalTopic?: string;
  /** Its partition there (`samsa.dlq.partition`), if the letter says. */
  originalPartition?: number;
  errorClass: string;
  handler: string;
  /** When it was dead-lettered (`samsa.dlq.time`), ISO 8601, if the letter says. */
  time?: string;
}

/** What is not a `samsa.dlq.*` header, to send again with the letter. */
export function originalHeaders(headers: RecordHeaders): RecordHeaders {
  const kept = Object.create(null) as RecordHeaders;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('samsa.dlq.')) kept[name] = value;
  }
  return kept;
}

export function viewDeadLetter(record: KafkaRecord): DeadLetterView {
  const header = (name: string) => headerText(record.headers[name]);
  const partition = header(DEAD_LETTER_HEADERS.partition);
  return {
    record,
    originalTopic: header(DEAD_LETTER_HEADERS.topic),
    originalPartition: partition !== undefined && /^\d+$/.test(partition) ? Number(partition) : undefined,
    errorClass: header(DEAD_LETTER_HEADERS.errorClass) ?? '(none)',
    handler: header(DEAD_LETTER_HEADERS.handler) ?? '(none)',
    time: header(DEAD_LETTER_HEADERS.time),
  };
}

/** True when the letter passes every filter (all of them must match). */
export function matchesFilters(letter: DeadLetterView, filters: readonly DeadLetterFilter[]): boolean {
  return filters.every(
    ({ field, value }) => headerText(letter.record.headers[FILTER_HEADERS[field]]) === value,
  );
}

/** A header as text: the last value of a repeated name (samsa writes each once), decoded as UTF-8. */
function headerText(value: RecordHeaderValue): string | undefined {
  const last = Array.isArray(value) ? value.at(-1) : value;
  return last === undefined ? undefined : last.toString();
}
