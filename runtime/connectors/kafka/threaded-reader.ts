// A Kafka reader whose client runs in a fetch thread (reader-worker.ts). One poll is always asked
// for ahead, so the thread fetches, decodes the protocol and packs the next messages while the
// operator thread works on the last ones; the client's own buffer (maxBuffered) still bounds what
// is fetched ahead. A fetch thread that dies fails every request in flight and every later one.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PackedPoll } from './packed.js';
import type { FetchReply, FetchRequest, WireError } from './reader-protocol.js';
import type { KafkaConnection, KafkaDriverName, PartitionOffset, ReaderOptions, TopicPartition } from './types.js';

/** The compiled worker: beside this file when running compiled, else in the build (tests build first). */
function workerEntry(): string | null {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  const entry = here.endsWith('.js') ? join(dir, 'reader-worker.js') : join(dir, '..', '..', '..', 'dist', 'runtime', 'connectors', 'kafka', 'reader-worker.js');
  return existsSync(entry) ? entry : null;
}

/** The error the fetch thread reported, with the fields retriable.ts reads. */
export function errorFrom(w: WireError): Error {
  const e = new Error(w.message, w.cause === undefined ? undefined : { cause: errorFrom(w.cause) }) as Error & Record<string, unknown>;
  if (w.name !== undefined) e.name = w.name;
  if (w.type !== undefined) e.type = w.type;
  if (w.code !== undefined) e.code = w.code;
  if (w.apiId !== undefined) e.apiId = w.apiId;
  return e;
}

interface Pending {
  resolve(r: FetchReply): void;
  reject(e: Error): void;
}

type Request = FetchRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class ThreadedReader {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;
  private closing = false;
  /** The poll asked for ahead. */
  private ahead: Promise<FetchReply> | null = null;
  private arrived: FetchReply | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly parse: boolean,
    private readonly maxMessages: number,
  ) {
    worker.on('message', (m: FetchReply | 'ready') => this.answer(m));
    worker.on('error', (err) => this.fail(new Error(`the Kafka fetch thread failed: ${err.message}`)));
    worker.on('messageerror', (err) => this.fail(new Error(`the Kafka fetch thread's answer could not be read: ${err.message}`)));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`the Kafka fetch thread stopped unexpectedly (exit code ${code})`));
    });
  }

  /**
   * Start a fetch thread for `driver`'s client, or null when threads cannot run here (the caller
   * reads in-thread; `unavailable` hears why, so a packaging that cannot start the thread says so).
   * The thread loads the client as it starts, so a source can start it before its own start-up
   * requests and find it ready. `entry` is the worker script (tests point it elsewhere).
   */
  static async spawn(driver: KafkaDriverName, unavailable: (why: string) => void, entry: string | null = workerEntry()): Promise<Worker | null> {
    if (entry === null) {
      unavailable('its compiled script (reader-worker.js) was not found');
      return null;
    }
    let worker: Worker | undefined;
    try {
      const w = (worker = new Worker(entry, { name: 'tributary-kafka-fetch', workerData: { driver } }));
      await new Promise<void>((resolve, reject) => {
        const exit = (code: number) => reject(new Error(`exit code ${code}`));
        w.once('message', () => {
          w.off('error', reject);
          w.off('exit', exit);
          resolve();
        });
        w.once('error', reject);
        w.once('exit', exit);
      });
    } catch (err) {
      unavailable(`it did not start: ${err instanceof Error ? err.message : String(err)}`);
      await worker?.terminate();
      return null;
    }
    return worker;
  }

  /** Open the client on a thread `spawn` started. Rejects (having stopped the thread) when the client cannot connect. */
  static async connect(worker: Worker, driver: KafkaDriverName, conn: KafkaConnection, opts: ReaderOptions, parse: boolean, maxMessages: number): Promise<ThreadedReader> {
    const r = new ThreadedReader(worker, parse, maxMessages);
    try {
      await r.ask({ op: 'open', driver, conn, opts });
    } catch (err) {
      r.closing = true;
      await worker.terminate();
      throw err;
    }
    return r;
  }

  /** `spawn` and `connect` in one. */
  static async open(
    driver: KafkaDriverName,
    conn: KafkaConnection,
    opts: ReaderOptions,
    parse: boolean,
    maxMessages: number,
    unavailable: (why: string) => void,
    entry: string | null = workerEntry(),
  ): Promise<ThreadedReader | null> {
    const worker = await ThreadedReader.spawn(driver, unavailable, entry);
    return worker === null ? null : ThreadedReader.connect(worker, driver, conn, opts, parse, maxMessages);
  }

  /** What arrived within `maxWaitMs`, or null; the next poll is asked for at once. */
  async poll(maxWaitMs: number): Promise<PackedPoll | null> {
    this.ahead ??= this.askPoll(maxWaitMs);
    if (this.arrived === null) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.ahead, new Promise<void>((r) => (timer = setTimeout(r, maxWaitMs)))]);
      clearTimeout(timer);
    }
    const got = this.arrived;
    if (got === null) return null;
    this.arrived = null;
    this.ahead = this.askPoll(maxWaitMs);
    return 'polled' in got ? (got.polled ?? null) : null;
  }

  private askPoll(maxWaitMs: number): Promise<FetchReply> {
    const p = this.ask({ op: 'poll', maxWaitMs, maxMessages: this.maxMessages, parse: this.parse });
    p.then(
      (r) => (this.arrived = r),
      () => {},
    );
    return p;
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.ask({ op: 'pause', partitions }).catch(() => {});
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    await this.ask({ op: 'commit', offsets });
  }

  async close(): Promise<void> {
    try {
      if (this.failure === null) await this.ask({ op: 'close' });
    } finally {
      this.closing = true;
      this.fail(new Error('the Kafka fetch thread was closed'));
      await this.worker.terminate();
    }
  }

  private ask(req: Request): Promise<FetchReply> {
    // A failed thread fails the poll that comes next (as a failed client fails its next poll).
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    const p = new Promise<FetchReply>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage({ ...req, id } as FetchRequest);
    return p;
  }

  private answer(m: FetchReply | 'ready'): void {
    if (m === 'ready') return;
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    this.pending.delete(m.id);
    if ('error' in m) p.reject(errorFrom(m.error));
    else p.resolve(m);
  }

  private fail(err: Error): void {
    if (this.failure !== null) return;
    this.failure = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
