// The infer node (spec.ts says what users see): Flink's AsyncWaitOperator (engine/async-wait.ts)
// with a model behind it. Records arrive in requests of up to `capacity`; each is cut into model
// calls of up to `batchSize` (ONNX: one session.run each; http: the client gathers calls into
// requests), and the results are merged into the records in one pass per call.
import { AsyncFailure, AsyncWaitOperator } from '../../engine/async-wait.js';
import { errorMessage, NodeError } from '../../engine/errors.js';
import type { OperatorFactory, TextOut } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { compileExpression } from '../../expr/index.js';
import { parseDuration } from '../../format/duration.js';
import { TtlCache } from '../lookup-redis/cache.js';
import { EmbeddingIndex } from './embeddings.js';
import { InferFigures } from './figures.js';
import { ModelSlot } from './hot-reload.js';
import { HttpModel } from './http-model.js';
import type { ScoredBatch } from './onnx-model.js';
import { OnnxModel } from './onnx-model.js';
import { type OutputRef, parseOutputs, readers } from './outputs.js';
import type { InferParams } from './spec.js';

/** What every model kind offers the operator. */
export interface Scorer {
  readonly version: string;
  score(recs: readonly unknown[], from: number, to: number): Promise<ScoredBatch>;
  release(): Promise<void>;
}

type Fields = Record<string, unknown>;

/** One invoke's results so far (a record's slot is filled when its model call ends), and whether it timed out. */
interface Pending {
  readonly out: unknown[];
  expired: boolean;
}

export class InferOperator extends AsyncWaitOperator {
  private slot: ModelSlot<Scorer> | null = null;
  private readonly refs: OutputRef[] | null;
  private readonly figures = new InferFigures();
  private readonly cache: TtlCache<Fields> | null;
  private readonly cacheKey: ((rec: unknown) => unknown) | null;
  private readonly fallback: Fields | null;
  private copier: RecordCopier | null = null;
  private copierFields: readonly string[] = [];
  /** Invokes still running, by the records array the async stage handed over (for timedOut). */
  private readonly pending = new WeakMap<readonly unknown[], Pending>();

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    nodeId: string,
    private readonly p: InferParams,
    private readonly path: string | null,
    private readonly stdout: TextOut,
  ) {
    super(job, 2, nodeId, metrics, { capacity: p.capacity, timeout: parseDuration(p.timeout)!, ordered: p.ordered, errorsPort: 1 });
    try {
      const outputs = p.outputs ?? (p.model.kind === 'embeddings' ? { similar: 'neighbours' } : null);
      this.refs = outputs ? parseOutputs(outputs) : null;
    } catch (err) {
      throw new NodeError(nodeId, errorMessage(err));
    }
    this.cache = p.cache ? new TtlCache(parseDuration(p.cache.ttl)!, p.cache.size) : null;
    this.cacheKey = p.cache ? (compileExpression(p.cache.key) as (rec: unknown) => unknown) : null;
    this.figures.hasCache = this.cache !== null;
    this.fallback = p.fallback ? { ...p.fallback, [p.versionField]: null } : null;
    metrics.model = () => this.figures.snapshot();
  }

  private load(): Promise<Scorer> {
    const m = this.p.model;
    if (m.kind === 'onnx') return OnnxModel.load(this.path!, m.threads, { features: this.p.features, inputs: this.p.inputs });
    if (m.kind === 'embeddings') return EmbeddingIndex.load(this.path!, m);
    return Promise.resolve(new HttpModel(this.nodeId, this.p, m, this.figures));
  }

  async open(): Promise<void> {
    let first: Scorer;
    try {
      first = await this.load();
    } catch (err) {
      throw new NodeError(this.nodeId, errorMessage(err));
    }
    this.slot = new ModelSlot(first);
    this.figures.version = first.version;
    const m = this.p.model;
    if (m.kind !== 'http' && m.watch) {
      this.slot.watch(this.path!, () => this.load(), {
        swapped: (next) => {
          this.figures.reloads++;
          this.figures.version = next.version;
          this.log(`model reloaded, version ${next.version}`);
        },
        failed: (err) => {
          this.figures.reloadFailures++;
          this.log(`model reload failed, version ${this.figures.version} keeps serving: ${errorMessage(err)}`);
        },
      });
    }
  }

  /** Reload the model file now (tests; the watcher calls the same). */
  reloadNow(): Promise<void> {
    return this.slot!.reload(() => this.load(), {
      swapped: (next) => {
        this.figures.reloads++;
        this.figures.version = next.version;
      },
      failed: (err) => {
        this.figures.reloadFailures++;
        this.log(`model reload failed, version ${this.figures.version} keeps serving: ${errorMessage(err)}`);
      },
    });
  }

  private log(msg: string): void {
    this.stdout.write(`[${this.nodeId}] ${msg}\n`);
  }

  async close(): Promise<void> {
    await this.slot?.close();
    this.slot = null;
  }

  /** One copier while the output fields stay the same (they change only without `outputs`). */
  private copierFor(fields: readonly string[]): RecordCopier {
    const same = this.copier !== null && fields.length === this.copierFields.length && fields.every((f, j) => f === this.copierFields[j]);
    if (!same) {
      this.copierFields = fields;
      this.copier = new RecordCopier([...fields, this.p.versionField]);
    }
    return this.copier!;
  }

  /**
   * A request's records whose model call ended in time keep their results; only the others time
   * out. One invoke spans several model calls (up to `capacity` records in calls of `batchSize`),
   * and Flink times out each element on its own (AsyncWaitOperator registers a timer per
   * element), so one slow call must not take its siblings' results away. A copy is returned:
   * calls that end later write into the invoke's own array, never into what was handed on.
   */
  protected override timedOut(recs: readonly unknown[]): unknown[] {
    const p = this.pending.get(recs);
    if (p) p.expired = true;
    const msg = `timed out after ${parseDuration(this.p.timeout)} ms`;
    const res = new Array<unknown>(recs.length);
    let n = 0;
    for (let i = 0; i < recs.length; i++) {
      const done = p?.out[i];
      if (done !== undefined) res[i] = done;
      else {
        res[i] = this.failure(recs[i], msg);
        n++;
      }
    }
    this.figures.timeouts += n;
    return res;
  }

  private failure(rec: unknown, message: string): unknown {
    if (this.fallback) return { ...(rec as Fields), ...this.fallback };
    return new AsyncFailure(message);
  }

  protected async invoke(recs: readonly unknown[]): Promise<unknown[]> {
    const out: unknown[] = new Array(recs.length);
    const pending: Pending = { out, expired: false };
    this.pending.set(recs, pending);
    let todo: unknown[] = recs as unknown[];
    let at: number[] | null = null;
    let keys: string[] | null = null;
    if (this.cache) {
      const now = this.job.clock.now();
      todo = [];
      at = [];
      keys = [];
      for (let i = 0; i < recs.length; i++) {
        let k: string;
        try {
          k = JSON.stringify(this.cacheKey!(recs[i])) ?? 'undefined';
        } catch (err) {
          out[i] = this.failure(recs[i], `cache key: ${errorMessage(err)}`);
          continue;
        }
        const hit = this.cache.get(k, now);
        if (hit) {
          this.figures.cacheHits++;
          out[i] = { ...(recs[i] as Fields), ...hit.value };
        } else {
          this.figures.cacheMisses++;
          todo.push(recs[i]);
          at.push(i);
          keys.push(k);
        }
      }
    }
    const bs = this.p.batchSize;
    const calls: Promise<void>[] = [];
    for (let from = 0; from < todo.length; from += bs) {
      const to = Math.min(todo.length, from + bs);
      const call = this.call(todo, from, to, out, at, keys, pending);
      // ONNX runs on this thread one batch after another; a remote server takes calls in parallel.
      if (this.p.model.kind === 'http') calls.push(call);
      else await call;
    }
    await Promise.all(calls);
    this.pending.delete(recs);
    return out;
  }

  private async call(recs: readonly unknown[], from: number, to: number, out: unknown[], at: number[] | null, keys: string[] | null, pending: Pending): Promise<void> {
    const slot = this.slot!;
    const held = slot.acquire();
    const f = this.figures;
    // A remote model counts its own requests (one may carry several calls); here, the local runs.
    const local = this.p.model.kind !== 'http';
    if (local) {
      f.inFlight++;
      f.batchSize = to - from;
    }
    const started = performance.now();
    let res: ScoredBatch;
    try {
      res = await held.model.score(recs, from, to);
    } catch (err) {
      const msg = errorMessage(err);
      for (let i = from; i < to; i++) out[at ? at[i]! : i] = this.failure(recs[i], msg);
      return;
    } finally {
      if (local) {
        f.inFlight--;
        f.latency(performance.now() - started);
      }
      slot.done(held);
    }
    if (f.version !== res.version && this.p.model.kind === 'http') f.version = res.version;
    const refs = this.refs ?? parseOutputs(Object.fromEntries([...res.cols.keys()].map((n) => [n, n])));
    const bad = res.bad;
    const read = readers(refs, res.cols);
    if (typeof read === 'string') {
      // A row that failed on its own (bad feature, failed request) says so, not that outputs are missing.
      for (let i = from; i < to; i++) {
        const why = bad?.get(i - from) ?? read;
        if (!pending.expired && why.startsWith('timed out')) f.timeouts++;
        out[at ? at[i]! : i] = this.failure(recs[i], why);
      }
      return;
    }
    const fields = refs.map((r) => r.field);
    const width = fields.length;
    const vf = this.p.versionField;
    const version = res.version;
    const now = this.cache ? this.job.clock.now() : 0;
    const copier = this.copierFor(fields);
    for (let i = from; i < to; i++) {
      const row = i - from;
      const reason = bad === null ? undefined : bad.get(row);
      const slotIndex = at ? at[i]! : i;
      if (reason !== undefined) {
        // The model's own deadline (the same timeout) may pass before the stage's timer: a timeout too.
        if (!pending.expired && reason.startsWith('timed out')) f.timeouts++;
        out[slotIndex] = this.failure(recs[i], reason);
        continue;
      }
      const o = copier.copy(recs[i] as Fields);
      for (let j = 0; j < width; j++) o[fields[j]!] = read[j]!(row);
      o[vf] = version;
      out[slotIndex] = o;
      if (this.cache) {
        const c: Fields = {};
        for (let j = 0; j < width; j++) c[fields[j]!] = o[fields[j]!];
        c[vf] = version;
        this.cache.set(keys![i]!, c, now);
      }
    }
  }
}

/**
 * Shallow copies of records with the outputs added, kept in V8's fast (shape-based) object mode.
 * Copying field by field with `o[k] = rec[k]` turns an object with more than a dozen fields into
 * a hash-table ("dictionary") object: ~1.5 µs and ~1 KB of garbage a record, which made garbage
 * collection most of the node's CPU time. Instead, one template per record shape (its fields in
 * order, then the outputs) is cloned with a spread — one allocation with the final shape — and
 * the values stored into existing fields (~0.5 µs a record for 21 fields). A record whose fields
 * differ from the template's gets a new template; fields keep their order either way.
 */
export class RecordCopier {
  private keys: string[] = [];
  private template: Fields | null = null;

  constructor(private readonly extra: readonly string[]) {}

  copy(rec: Fields): Fields {
    const o = this.tryCopy(rec);
    if (o !== null) return o;
    const t: Fields = {};
    for (const k of Object.keys(rec)) t[k] = null;
    for (const k of this.extra) t[k] = null;
    // JSON.parse builds a fast-mode object whatever the field count; the keys came from a record.
    this.template = JSON.parse(JSON.stringify(t)) as Fields;
    this.keys = Object.keys(rec);
    return this.tryCopy(rec) ?? slowCopy(rec);
  }

  private tryCopy(rec: Fields): Fields | null {
    const t = this.template;
    if (t === null) return null;
    const keys = this.keys;
    const o: Fields = { ...t };
    let i = 0;
    for (const k in rec) {
      if (keys[i] !== k) return null;
      o[k] = rec[k];
      i++;
    }
    return i === keys.length ? o : null;
  }
}

/** Records are plain data objects (JSON, or built by operators): for-in sees their own fields. */
function slowCopy(rec: Fields): Fields {
  const o: Fields = {};
  for (const k in rec) o[k] = rec[k];
  return o;
}

export const createInfer: OperatorFactory<InferParams> = (ctx, p) => {
  const path = p.model.kind === 'http' ? null : ctx.resolvePath(p.model.path);
  return { operator: new InferOperator(ctx.job, ctx.metrics, ctx.nodeId, p, path, ctx.stdout) };
};
