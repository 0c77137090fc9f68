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

export type FetchReply = { readonly id: number; readonly polled?: PackedPoll } | { readonly id: number; readonly error: WireError };
