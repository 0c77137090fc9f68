// Drives the clickstream model: unthrottled it fills fixed-size batches as fast as the pipeline
// takes them; throttled it releases what `rate` allows since the start, a slice at a time.
import { parseDuration } from '../../format/duration.js';
import type { Batch } from '../../engine/batch.js';
import type { Checkpointed } from '../../engine/checkpoint/participant.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { SourceOperator } from '../../engine/source.js';
import { BoundedOutOfOrderness } from '../../engine/watermarks.js';
import type { ParamsOf } from '../spec.js';
import { type ClickEvent, EcommerceGenerator, type GeneratorState } from './ecommerce.js';
import type { sourceGeneratorSpec } from './spec.js';

export const GENERATOR_BATCH = 4096;
/** Throttled sources wake this often; small enough that live figures move smoothly. */
const TICK_MS = 20;

type Params = ParamsOf<typeof sourceGeneratorSpec>;

interface GeneratorCheckpoint {
  readonly emitted: number;
  readonly gen: GeneratorState;
  readonly wm: [number, number];
}

export class GeneratorSource extends SourceOperator implements Checkpointed {
  readonly deterministic: boolean;
  private readonly gen: EcommerceGenerator;
  private readonly wmGen: BoundedOutOfOrderness;
  private emitted = 0;
  private started = 0;
  /** Events emitted before this run started (restored): the rate counts from here. */
  private base = 0;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly p: Params,
  ) {
    super(job, 1, metrics, null);
    const disorder = parseDuration(p.disorder)!;
    const startTime = typeof p.startTime === 'number' ? p.startTime : Date.parse(p.startTime);
    this.gen = new EcommerceGenerator({
      seed: p.seed,
      users: p.users,
      products: p.products,
      categories: p.categories,
      abandonment: p.abandonment,
      startTime,
      eventTimeRate: p.eventTimeRate ?? (p.rate > 0 ? p.rate : 1000),
      disorder,
    });
    this.wmGen = new BoundedOutOfOrderness(disorder);
    this.deterministic = p.rate === 0 && p.count !== undefined;
  }

  async pull(): Promise<boolean> {
    const left = this.p.count === undefined ? Infinity : this.p.count - this.emitted;
    if (left <= 0) return false;
    let n = Math.min(GENERATOR_BATCH, left);
    if (this.p.rate > 0) {
      if (this.started === 0) this.started = performance.now();
      let allowed = Math.floor(((performance.now() - this.started) / 1000) * this.p.rate) - (this.emitted - this.base);
      if (allowed <= 0) {
        await sleep(Math.max(TICK_MS, 1000 / this.p.rate));
        allowed = Math.floor(((performance.now() - this.started) / 1000) * this.p.rate) - (this.emitted - this.base);
      }
      n = Math.max(0, Math.min(n, allowed));
    }
    if (n > 0) this.emitOn(0, this.next(n));
    return true;
  }

  // Checkpointed: the position is the generator's whole moving state (random state included), so
  // a restored run draws exactly the events an uninterrupted one would have.
  snapshotCheckpoint(): GeneratorCheckpoint {
    return { emitted: this.emitted, gen: this.gen.save(), wm: this.wmGen.save() };
  }

  restoreCheckpoint(s: unknown): void {
    const c = s as GeneratorCheckpoint;
    this.gen.load(c.gen);
    this.wmGen.load(c.wm);
    this.emitted = this.base = c.emitted;
    this.metrics.watermark = this.wmOut;
  }

  /** Fill a batch and stamp watermarks as if one followed every record. */
  next(n: number): Batch {
    const recs: ClickEvent[] = [];
    const ts: number[] = [];
    this.gen.fill(recs, ts, n);
    const wm = new Array<number>(n);
    const w = this.wmGen;
    for (let i = 0; i < n; i++) {
      wm[i] = w.current;
      w.observe(ts[i]!);
    }
    this.emitted += n;
    return { recs, ts, keys: null, wm, wmEnd: w.current };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export const createGenerator: OperatorFactory<Params> = (ctx, p) => ({
  operator: new GeneratorSource(ctx.job, ctx.metrics, p),
});
