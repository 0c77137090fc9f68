// Kafka record → pipeline record. JSON values become the record itself (the object JSON.parse
// made is ours, so the metadata field is added in place); string values become `{value}`.
import type { ConsumedMessage } from '../../connectors/kafka/types.js';
import { MAX_RECORD_NESTING, tooDeepAt } from '../../format/nesting.js';

/** A record, or a string saying why the message is not one. */
export type Decoder = (m: ConsumedMessage, topic: string, partition: number) => Record<string, unknown> | string;

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

export function decoder(format: 'json' | 'string', metaField: string | null): Decoder {
  const meta = (rec: Record<string, unknown>, m: ConsumedMessage, topic: string, partition: number) => {
    if (metaField !== null) {
      rec[metaField] = { topic, partition, offset: m.offset, timestamp: m.timestamp, key: m.key === null ? null : m.key.toString(), headers: m.headers ?? NO_HEADERS };
    }
    return rec;
  };
  if (format === 'string') return (m, topic, partition) => meta({ value: m.value === null ? null : m.value.toString() }, m, topic, partition);
  return (m, topic, partition) => {
    if (m.value === null) return 'the record has no value (a tombstone); format json needs a JSON object';
    const text = m.value.toString();
    if (tooDeepAt(text, MAX_RECORD_NESTING) >= 0) return `nested more than ${MAX_RECORD_NESTING} levels deep; a record may nest at most that far`;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      return `not valid JSON: ${(err as Error).message}`;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `the value must be a JSON object, got ${Array.isArray(v) ? 'an array' : JSON.stringify(v)}`;
    return meta(v as Record<string, unknown>, m, topic, partition);
  };
}
