// Hot reload: watch a model file; when it changes, load the new model beside the serving one
// (loading includes a warm-up run) and swap it in. Callers take `current` once per batch and hold
// it for that batch (acquire/release), so a batch is scored by one model, and the old model is
// freed only after its last batch. A model that fails to load leaves the old one serving.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface Releasable {
  readonly version: string;
  release(): Promise<void>;
}

interface Held<M> {
  readonly model: M;
  uses: number;
  retired: boolean;
}

export class ModelSlot<M extends Releasable> {
  private held: Held<M>;
  private watcher: FSWatcher | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private loading: Promise<void> | null = null;
  private again = false;

  constructor(first: M) {
    this.held = { model: first, uses: 0, retired: false };
  }

  get current(): M {
    return this.held.model;
  }

  /** The serving model, held until `done` is called with the same handle. */
  acquire(): Held<M> {
    const h = this.held;
    h.uses++;
    return h;
  }

  done(h: Held<M>): void {
    h.uses--;
    if (h.retired && h.uses === 0) void h.model.release();
  }

  /** Watch the file's folder (editors and `mv` replace files, which a watch on the file itself misses). */
  watch(path: string, load: () => Promise<M>, events: { swapped(m: M): void; failed(err: unknown): void }): void {
    const name = basename(path);
    this.watcher = watch(dirname(path), (_ev, f) => {
      if (f !== null && f.toString() !== name) return;
      // Writes come in bursts: load once they settle.
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.reload(load, events), 150);
    });
    this.watcher.on('error', (err) => events.failed(err));
  }

  /** Load now (also what the watcher calls); concurrent calls coalesce into one more load. */
  reload(load: () => Promise<M>, events: { swapped(m: M): void; failed(err: unknown): void }): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      try {
        const next = await load();
        if (next.version === this.held.model.version) {
          await next.release();
          return;
        }
        const old = this.held;
        this.held = { model: next, uses: 0, retired: false };
        old.retired = true;
        if (old.uses === 0) await old.model.release();
        events.swapped(next);
      } catch (err) {
        events.failed(err);
      } finally {
        this.loading = null;
        if (this.again) {
          this.again = false;
          void this.reload(load, events);
        }
      }
    })();
    return this.loading;
  }

  async close(): Promise<void> {
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
    await this.loading;
    this.held.retired = true;
    if (this.held.uses === 0) await this.held.model.release();
  }
}
