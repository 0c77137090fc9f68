// Between a client's fetch loop and the source's polls: a queue of fetched batches, bounded by a
// message count. Fetching waits (the client stops asking the broker) while it is full, so a slow
// pipeline pauses its partitions instead of filling memory.
import type { ConsumedMessage, FetchedBatch } from './types.js';

/**
 * Bytes one fetch asks per partition and in all (Kafka's max.partition.fetch.bytes and
 * fetch.max.bytes). Small on purpose: a client decodes a whole fetch response into message
 * objects at once, and a response of a few MiB makes tens of thousands of objects that outlive a
 * scavenge and cost a major GC each; the first records also arrive only once the first response is
 * decoded. On `npm run bench -- kafka` (4 partitions) 256 KiB per partition read 500,000 events
 * with about a third less CPU than 4 MiB, half the memory, and first records after ~0.1 s instead
 * of ~0.5 s. The broker still returns a record batch larger than these whole, but only in the
 * first partition of a response that has data (KIP-74); a later partition whose next batch is
 * larger gets none. A client that rotates the partitions it asks for (kafkajs) so reaches each in
 * turn; one that asks in a fixed order uses FETCH_FIXED_ORDER_PARTITION_BYTES instead.
 */
export const FETCH_PARTITION_MAX_BYTES = 256 * 2 ** 10;
export const FETCH_MAX_BYTES = 2 ** 20;
/**
 * A partition's share for a client that asks for its partitions in the same order every time
 * (@platformatic/kafka), with a total of a share for each partition: the largest record batch a
 * broker accepts by default (message.max.bytes, 1 MiB + 12 bytes of log overhead), so every
 * partition's next batch fits its share and none waits until the partitions before it caught up.
 * Topics configured for larger batches can still be read only one partition after another.
 */
export const FETCH_FIXED_ORDER_PARTITION_BYTES = 2 ** 20 + 12;

export class FetchBuffer {
  private queue: FetchedBatch[] = [];
  private count = 0;
  private failure: unknown = null;
  private onData: (() => void) | null = null;
  private spaceWaiters: (() => void)[] = [];

  /** Called when a poll has emptied the buffer (clients that pause a stream resume it here). */
  onSpace: (() => void) | null = null;

  constructor(private readonly max: number) {}

  get full(): boolean {
    return this.count >= this.max;
  }

  /** Nothing waits to be polled. */
  get empty(): boolean {
    return this.queue.length === 0;
  }

  push(b: FetchedBatch): void {
    if (b.messages.length === 0 && b.next === undefined) return;
    this.queue.push(b);
    this.count += b.messages.length;
    this.wake();
  }

  /** Append one message, joining the previous batch when it is the same partition's. */
  pushOne(topic: string, partition: number, m: ConsumedMessage): void {
    const last = this.queue[this.queue.length - 1];
    if (last !== undefined && last.partition === partition && last.topic === topic) (last.messages as ConsumedMessage[]).push(m);
    else this.queue.push({ topic, partition, messages: [m] });
    this.count++;
    this.wake();
  }

  /** The client failed for good: the next poll rejects with this. */
  fail(err: unknown): void {
    this.failure ??= err;
    this.wake();
  }

  /** Resolves once there is room (or at once when there is). */
  space(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((r) => this.spaceWaiters.push(r));
  }

  /** Release everything waiting for room (on close). */
  releaseAll(): void {
    const w = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const f of w) f();
  }

  /** What waits (at most `limit` messages, `max` unless given), waiting up to `maxWaitMs` for something. */
  async poll(maxWaitMs: number, limit = this.max): Promise<FetchedBatch[]> {
    if (this.queue.length === 0 && this.failure === null && maxWaitMs > 0) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          this.onData = null;
          resolve();
        };
        const t = setTimeout(done, maxWaitMs);
        this.onData = done;
      });
    }
    if (this.failure !== null) throw this.failure;
    // Hand out at most `max` messages, so one poll never floods a pipeline that is holding back.
    const most = Math.min(limit, this.max);
    let out: FetchedBatch[];
    if (this.count <= most) {
      out = this.queue;
      this.queue = [];
      this.count = 0;
    } else {
      out = [];
      let left = most;
      while (left > 0) {
        const b = this.queue[0]!;
        if (b.messages.length <= left) {
          out.push(this.queue.shift()!);
          left -= b.messages.length;
        } else {
          // The position after the batch stays with its last messages.
          out.push({ topic: b.topic, partition: b.partition, messages: b.messages.slice(0, left) });
          this.queue[0] = { topic: b.topic, partition: b.partition, messages: b.messages.slice(left), next: b.next };
          left = 0;
        }
      }
      this.count -= most;
    }
    if (!this.full) {
      this.releaseAll();
      this.onSpace?.();
    }
    return out;
  }

  private wake(): void {
    const f = this.onData;
    this.onData = null;
    f?.();
  }
}
