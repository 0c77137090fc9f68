// A pool of decode workers (node:worker_threads). Bytes go to a worker transferred, not copied;
// records come back by structured clone, which costs the operator thread about a third of what
// JSON.parse would (bench/decode.ts measures both) — or, when only some fields are read downstream
// (a parallel keyed window), as columns of those fields (projected.ts), which cost a fraction. Requests go round-robin; each answer settles
// its own promise, so a caller that awaits them in the order it asked gets them in file order.
// A worker that dies fails every request in flight and every later one with a clear error.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Chunk } from '../files/readers.js';
import { type Projection, unproject } from './projected.js';
import type { DecodeReply, DecodeRequest } from './protocol.js';

/** The compiled worker: beside this file when running compiled, else in the build (tests build first). */
function workerEntry(): string | null {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) {
    const sibling = join(dirname(here), 'worker.js');
    return existsSync(sibling) ? sibling : null;
  }
  for (let dir = dirname(here); ; ) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'tributary') {
      const built = join(dir, 'dist', 'runtime', 'connectors', 'decode', 'worker.js');
      return existsSync(built) ? built : null;
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

interface Pending {
  resolve(c: Chunk): void;
  reject(e: Error): void;
}

export class DecodePool {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private next = 0;
  private failure: Error | null = null;
  private closing = false;

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (m: DecodeReply) => this.answer(m));
      w.on('error', (err) => this.fail(new Error(`a decode worker failed: ${err.message}`)));
      w.on('messageerror', (err) => this.fail(new Error(`a decode worker's answer could not be read: ${err.message}`)));
      w.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`a decode worker stopped unexpectedly (exit code ${code})`));
      });
      w.unref();
    }
  }

  /** A pool of `threads` workers, or null when workers cannot run here (the caller decodes in-thread). */
  static async start(threads: number): Promise<DecodePool | null> {
    const entry = workerEntry();
    if (entry === null || threads < 1) return null;
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < threads; i++) workers.push(new Worker(entry, { name: `tributary-decode-${i}` }));
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              const exit = (code: number) => reject(new Error(`exit code ${code}`));
              w.once('message', () => {
                w.off('error', reject);
                w.off('exit', exit);
                resolve();
              });
              w.once('error', reject);
              w.once('exit', exit);
            }),
        ),
      );
    } catch {
      await Promise.all(workers.map((w) => w.terminate()));
      return null;
    }
    return new DecodePool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** The records and bad lines of a JSON Lines segment; `bytes` is handed over (unusable after). */
  decode(bytes: Uint8Array, firstLine: number, project: Projection | null = null): Promise<Chunk> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    const w = this.workers[this.next]!;
    this.next = (this.next + 1) % this.workers.length;
    // Referenced only while answers are awaited, so an idle pool never keeps the process alive.
    if (this.pending.size === 0) for (const x of this.workers) x.ref();
    const p = new Promise<Chunk>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const req: DecodeRequest = { id, bytes, firstLine, project };
    w.postMessage(req, [bytes.buffer as ArrayBuffer]);
    return p;
  }

  private answer(m: DecodeReply | 'ready'): void {
    if (m === 'ready') return;
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) for (const x of this.workers) x.unref();
    if ('error' in m) p.reject(new Error(`decoding failed: ${m.error}`));
    else if ('projected' in m) p.resolve(unproject(m.projected));
    else p.resolve(m.chunk);
  }

  private fail(err: Error): void {
    if (this.failure !== null) return;
    this.failure = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const x of this.workers) x.unref();
  }

  /** Stops the workers; requests still in flight are failed. */
  async close(): Promise<void> {
    this.closing = true;
    this.fail(new Error('the decode pool was closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Test hook: ends one worker as a crash would. */
  crashOneForTest(): Promise<number> {
    return this.workers[0]!.terminate();
  }
}
