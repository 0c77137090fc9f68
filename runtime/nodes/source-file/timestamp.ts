// Event time from a record field; shared by the file source, the Kafka source and the decode workers.

/** The largest epoch millisecond a JavaScript Date holds (ECMAScript's time value range). */
const MAX_TIME = 8.64e15;

/** Epoch ms from a number or an ISO-8601 string; NaN otherwise. A number outside a Date's range
 * (±8.64e15 ms) is NaN too: past 2^53 window arithmetic loses the record's window (start == end),
 * and Flink's long timestamps would overflow. */
export function toTimestamp(v: unknown): number {
  if (typeof v === 'number') return Math.abs(v) <= MAX_TIME ? v : NaN;
  if (typeof v === 'string' && v !== '') return Date.parse(v);
  return NaN;
}
