// What a fetch thread hands the operator thread for one poll: every message's key and value bytes
// in one buffer and its offset, timestamp and byte ranges in one Float64Array, both transferred
// (not copied), so the operator thread receives a poll's messages without one object per message.
// Values the fetch thread has already parsed as JSON objects travel beside them (structured clone).
import type { FetchedBatch } from './types.js';
import { MAX_RECORD_NESTING, tooDeepAt } from '../../format/nesting.js';

/** Per message in `nums`: offset, timestamp, value start, value end, key start, key end (start -1: null). */
export const NUMS = 6;

export interface PackedMessages {
  readonly bytes: Uint8Array;
  readonly nums: Float64Array;
  /** Per message its headers, or null when no message of the poll has any. */
  readonly headers: (Record<string, string> | null)[] | null;
  /** Per message the value parsed as a JSON object, or null where it was not parsed or is not one. */
  readonly parsed: (Record<string, unknown> | null)[] | null;
}

/** One partition's run of messages within a packed poll: indexes `from` to `from + count`. */
export interface PackedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly from: number;
  readonly count: number;
  readonly next?: number;
}

export interface PackedPoll {
  readonly batches: PackedBatch[];
  readonly data: PackedMessages;
}

/**
 * Pack a poll's batches. With `parse`, each value that is a JSON object nested no deeper than a
 * record may be is parsed here; the rest are left for the operator thread, which reports why.
 */
export function pack(fetched: readonly FetchedBatch[], parse: boolean): PackedPoll {
  let n = 0;
  let size = 0;
  let withHeaders = false;
  for (const b of fetched) {
    n += b.messages.length;
    for (const m of b.messages) {
      size += (m.value?.length ?? 0) + (m.key?.length ?? 0);
      if (m.headers !== null) withHeaders = true;
    }
  }
  const bytes = new Uint8Array(size);
  const nums = new Float64Array(n * NUMS);
  const headers = withHeaders ? new Array<Record<string, string> | null>(n) : null;
  const parsed = parse ? new Array<Record<string, unknown> | null>(n) : null;
  const batches: PackedBatch[] = [];
  let i = 0;
  let at = 0;
  for (const b of fetched) {
    batches.push(b.next === undefined ? { topic: b.topic, partition: b.partition, from: i, count: b.messages.length } : { topic: b.topic, partition: b.partition, from: i, count: b.messages.length, next: b.next });
    for (const m of b.messages) {
      const o = i * NUMS;
      nums[o] = m.offset;
      nums[o + 1] = m.timestamp;
      if (m.value === null) nums[o + 2] = nums[o + 3] = -1;
      else {
        bytes.set(m.value, at);
        nums[o + 2] = at;
        at += m.value.length;
        nums[o + 3] = at;
      }
      if (m.key === null) nums[o + 4] = nums[o + 5] = -1;
      else {
        bytes.set(m.key, at);
        nums[o + 4] = at;
        at += m.key.length;
        nums[o + 5] = at;
      }
      if (headers !== null) headers[i] = m.headers;
      if (parsed !== null) parsed[i] = m.value === null ? null : parseObject(m.value.toString());
      i++;
    }
  }
  return { batches, data: { bytes, nums, headers, parsed } };
}

/** A JSON object the source would take as a record, else null (the operator thread then says why). */
function parseObject(text: string): Record<string, unknown> | null {
  if (tooDeepAt(text, MAX_RECORD_NESTING) >= 0) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** The buffers `pack` made, to transfer rather than copy. */
export function transferables(p: PackedPoll): ArrayBuffer[] {
  return [p.data.bytes.buffer as ArrayBuffer, p.data.nums.buffer as ArrayBuffer];
}
