// Messages between a Kafka source and its fetch thread (reader-worker.ts, threaded-reader.ts).
import type { PackedPoll } from './packed.js';
import type { KafkaConnection, KafkaDriverName, PartitionOffset, ReaderOptions, TopicPartition } from './types.js';

export type FetchRequest =
  | { readonly id: number; readonly op: 'open'; readonly driver: KafkaDriverName; readonly conn: KafkaConnection; readonly opts: ReaderOptions }
  | { readonly id: number; readonly op: 'poll'; readonly maxWaitMs: number; readonly maxMessages: number; readonly parse: boolean }
  | { readonly id: number; readonly op: 'pause'; readonly partitions: readonly TopicPartition[] }
  | { readonly id: number; readonly op: 'commit'; readonly offsets: readonly PartitionOffset[] }
  | { readonly id: number; readonly op: 'close' };

/** An error as plain data: the fields that say what it was survive the thread boundary. */
export interface WireError {
  readonly message: string;
  readonly name?: string;
  readonly type?: string;
  readonly code?: string;
  readonly apiId?: string;
  readonly cause?: WireError;
}

/** An error as the fetch thread sends it. */
export function wire(err: unknown): WireError {
  if (!(err instanceof Error)) return { message: String(err) };
  // What retriable.ts reads to tell a retriable coordinator error, one level of cause deep.
  const x = err as { type?: string; code?: string; apiId?: string; cause?: unknown; originalError?: unknown; errors?: unknown[] };
  const inner = x.cause ?? x.originalError ?? (Array.isArray(x.errors) ? x.errors[0] : undefined);
  // An AggregateError (every address of a broker refused) may have no message of its own; the
  // operator thread's messages would then say 'unknown error'.
  const message = err.message || (err instanceof AggregateError ? err.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ') : '');
  return { message, name: err.name, type: x.type, code: x.code, apiId: x.apiId, cause: inner === undefined ? undefined : wire(inner) };
}

export type FetchReply = { readonly id: number; readonly polled?: PackedPoll } | { readonly id: number; readonly error: WireError };
