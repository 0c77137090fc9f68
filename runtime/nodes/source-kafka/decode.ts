// Kafka record → pipeline record. JSON values become the record itself (the object JSON.parse
// made is ours, so the metadata field is added in place); string values become `{value}`.
// Messages are read through a view, either over the client's message objects (reading in-thread)
// or over a fetch thread's packed buffers (packed.ts), where a value may come already parsed.
import type { ConsumedMessage } from '../../connectors/kafka/types.js';
import { NUMS, type PackedMessages } from '../../connectors/kafka/packed.js';
import { MAX_RECORD_NESTING, tooDeepAt } from '../../format/nesting.js';

/** The messages of one poll, by index. */
export interface MessageView {
  offset(i: number): number;
  timestamp(i: number): number;
  /** The value as UTF-8 text, or null for a tombstone. */
  value(i: number): string | null;
  key(i: number): string | null;
  headers(i: number): Record<string, string> | null;
  /** The value already parsed as a JSON object elsewhere (a fetch thread), else null. */
  parsed(i: number): Record<string, unknown> | null;
}

export class MessagesView implements MessageView {
  constructor(private readonly msgs: readonly ConsumedMessage[]) {}
  offset(i: number): number {
    return this.msgs[i]!.offset;
  }
  timestamp(i: number): number {
    return this.msgs[i]!.timestamp;
  }
  value(i: number): string | null {
    const v = this.msgs[i]!.value;
    return v === null ? null : v.toString();
  }
  key(i: number): string | null {
    const k = this.msgs[i]!.key;
    return k === null ? null : k.toString();
  }
  headers(i: number): Record<string, string> | null {
    return this.msgs[i]!.headers;
  }
  parsed(): Record<string, unknown> | null {
    return null;
  }
}

export class PackedView implements MessageView {
  private readonly bytes: Buffer;
  private readonly nums: Float64Array;
  constructor(private readonly data: PackedMessages) {
    this.bytes = Buffer.from(data.bytes.buffer, data.bytes.byteOffset, data.bytes.byteLength);
    this.nums = data.nums;
  }
  offset(i: number): number {
    return this.nums[i * NUMS]!;
  }
  timestamp(i: number): number {
    return this.nums[i * NUMS + 1]!;
  }
  value(i: number): string | null {
    const s = this.nums[i * NUMS + 2]!;
    return s < 0 ? null : this.bytes.toString('utf8', s, this.nums[i * NUMS + 3]!);
  }
  key(i: number): string | null {
    const s = this.nums[i * NUMS + 4]!;
    return s < 0 ? null : this.bytes.toString('utf8', s, this.nums[i * NUMS + 5]!);
  }
  headers(i: number): Record<string, string> | null {
    return this.data.headers === null ? null : this.data.headers[i]!;
  }
  parsed(i: number): Record<string, unknown> | null {
    return this.data.parsed === null ? null : this.data.parsed[i]!;
  }
}

/** A record, or a string saying why the message is not one. */
export type Decoder = (v: MessageView, i: number, topic: string, partition: number) => Record<string, unknown> | string;

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

export function decoder(format: 'json' | 'string', metaField: string | null): Decoder {
  const meta = (rec: Record<string, unknown>, v: MessageView, i: number, topic: string, partition: number) => {
    if (metaField !== null) {
      rec[metaField] = { topic, partition, offset: v.offset(i), timestamp: v.timestamp(i), key: v.key(i), headers: v.headers(i) ?? NO_HEADERS };
    }
    return rec;
  };
  if (format === 'string') return (v, i, topic, partition) => meta({ value: v.value(i) }, v, i, topic, partition);
  return (v, i, topic, partition) => {
    const done = v.parsed(i);
    if (done !== null) return meta(done, v, i, topic, partition);
    const text = v.value(i);
    if (text === null) return 'the record has no value (a tombstone); format json needs a JSON object';
    if (tooDeepAt(text, MAX_RECORD_NESTING) >= 0) return `nested more than ${MAX_RECORD_NESTING} levels deep; a record may nest at most that far`;
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch (err) {
      return `not valid JSON: ${(err as Error).message}`;
    }
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return `the value must be a JSON object, got ${Array.isArray(rec) ? 'an array' : JSON.stringify(rec)}`;
    return meta(rec as Record<string, unknown>, v, i, topic, partition);
  };
}
