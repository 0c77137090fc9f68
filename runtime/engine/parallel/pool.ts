// The worker threads of one job: `parallelism` of them, each holding instance i of every parallel
// node (worker.ts). Started when the job opens its resources, ended when the run ends.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NodeError } from '../errors.js';
import type { JobControl } from '../operator.js';
import type { FromWorker, OutMessage, ToWorker, VertexInit } from './protocol.js';
import type { InstanceState } from './rescale.js';

/** The compiled worker beside this module; from the TypeScript sources (tests), the build's copy. */
function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return fileURLToPath(new URL('./worker.js', import.meta.url));
  const built = fileURLToPath(new URL('../../../dist/runtime/engine/parallel/worker.js', import.meta.url));
  if (!existsSync(built)) throw new Error('parallel execution needs the compiled runtime: run `npm run build` first');
  return built;
}

export interface PoolVertex {
  init(): VertexInit;
  onAnswer(instance: number, m: OutMessage): void;
  /** The state instance `instance` starts from (a restored checkpoint), or null. */
  restored(instance: number): InstanceState | null;
}

export class WorkerPool {
  private workers: Worker[] = [];
  private opening: Promise<void> | null = null;
  private closed = false;
  private readonly vertices: PoolVertex[] = [];
  private onClose: (err: Error) => void = () => {};
  /** Rejects once the workers are ended: nothing sent after that is answered. */
  readonly closing = new Promise<never>((_, reject) => (this.onClose = reject));

  get isClosed(): boolean {
    return this.closed;
  }

  constructor(
    readonly parallelism: number,
    private readonly job: JobControl,
    private readonly paths: ReadonlyMap<string, string>,
  ) {
    this.closing.catch(() => {}); // only a pending checkpoint listens
  }

  /** Adds a node; returns its index in the messages. */
  register(v: PoolVertex): number {
    this.vertices.push(v);
    return this.vertices.length - 1;
  }

  open(): Promise<void> {
    return (this.opening ??= this.start());
  }

  post(instance: number, m: ToWorker, transfer?: ArrayBuffer[]): void {
    this.workers[instance]!.postMessage(m, transfer);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(new Error('the parallel instances have ended with the run'));
    await Promise.allSettled(this.workers.map((w) => w.terminate()));
  }

  private async start(): Promise<void> {
    const entry = workerEntry();
    const vertices = this.vertices.map((v) => v.init());
    const paths = [...this.paths];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < this.parallelism; i++) {
      const w = new Worker(entry);
      this.workers.push(w);
      ready.push(
        new Promise<void>((resolve, reject) => {
          w.on('message', (m: FromWorker) => {
            if (m.t === 'ready') resolve();
            else if (m.t === 'out') this.vertices[m.v]!.onAnswer(i, m);
            else {
              const err = m.nodeId === null ? new Error(m.message) : new NodeError(m.nodeId, m.message);
              reject(err);
              this.job.fail(err);
            }
          });
          w.on('error', (err) => {
            reject(err);
            this.job.fail(err);
          });
          w.on('exit', (code) => {
            if (this.closed) return;
            const err = new Error(`parallel instance ${i} stopped unexpectedly (exit code ${code})`);
            reject(err);
            this.job.fail(err);
          });
        }),
      );
      const restore = this.vertices.map((v) => v.restored(i));
      w.postMessage({ t: 'init', index: i, parallelism: this.parallelism, vertices, paths, restore } satisfies ToWorker);
    }
    await Promise.all(ready);
  }
}
