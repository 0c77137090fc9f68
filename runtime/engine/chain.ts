// Operator chaining: a run of stateless one-input nodes (filter, map, flatMap, keyBy) becomes one
// operator whose batch loop is generated once, when the job starts, so a record passes every stage
// in a single loop iteration with no per-record closure, promise or intermediate array (the idea of
// Flink's OperatorChain, taken further by compiling the chain to one function).
import { type Batch, BatchBuilder, watermarkOnly } from './batch.js';
import { NodeError, errorMessage } from './errors.js';
import type { NodeMetrics } from './metrics.js';
import { type JobControl, Operator, type Output } from './operator.js';

export type StageKind = 'filter' | 'map' | 'flatMap' | 'keyBy';

/** Context handed to `code` stages; one object per stage, updated before each call. */
export interface StageContext {
  readonly node: string;
  timestamp: number;
  key: unknown;
}

export interface Stage {
  readonly kind: StageKind;
  readonly nodeId: string;
  readonly metrics: NodeMetrics;
  /** Compiled expression `(event) => …` or code `(event, ctx) => …`. */
  readonly fn: (event: any, ctx: StageContext) => unknown;
  /** Whether `fn` takes the context (code, not expressions). */
  readonly usesCtx: boolean;
}

/** Sees each record a stage passes on inside a chain (a data tap on a fused edge). */
export type RecordObserver = (rec: unknown, ts: number, key: unknown) => void;

type ChainLoop = (
  recs: readonly unknown[], ts: readonly number[], keys: readonly unknown[] | null, wm: readonly number[] | null, wmPrev: number,
  oR: unknown[], oT: number[], oK: unknown[] | null, oW: number[] | null, c: Float64Array, F: ChainOperator,
) => void;

/** Keyed state is looked up by key, so keys must be values with a stable identity. */
function validKey(k: unknown): boolean {
  return typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k)) || typeof k === 'boolean';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function genStage(stages: readonly Stage[], j: number, rv: string, kv: string, watched: readonly boolean[]): string {
  // A tapped stage's output is handed to its observer; untapped stages get no code at all.
  const tap = j > 0 && j < stages.length && watched[j - 1] ? `O[${j - 1}](${rv}, t, ${kv}); ` : '';
  return tap + genStep(stages, j, rv, kv, watched);
}

function genStep(stages: readonly Stage[], j: number, rv: string, kv: string, watched: readonly boolean[]): string {
  if (j === stages.length) {
    return `oR.push(${rv}); oT.push(t); if (oK !== null) oK.push(${kv}); if (oW !== null) oW.push(w);`;
  }
  const s = stages[j]!;
  const call = s.usesCtx ? `x${j}.timestamp = t; x${j}.key = ${kv}; ` : '';
  const args = s.usesCtx ? `${rv}, x${j}` : rv;
  const attempt = (v: string) => `let ${v}; try { ${call}${v} = f${j}(${args}); } catch (e) { F.fail(${j}, ${rv}, e, t, w); continue; }`;
  const reject = (cond: string, what: string, v: string) => `if (${cond}) { F.reject(${j}, ${rv}, '${what}', ${v}, t, w); continue; }`;
  switch (s.kind) {
    case 'filter':
      return `${attempt(`p${j}`)} if (!p${j}) continue; c[${j}]++; ${genStage(stages, j + 1, rv, kv, watched)}`;
    case 'map':
      return `${attempt(`r${j}`)} ${reject(`typeof r${j} !== 'object' || r${j} === null || Array.isArray(r${j})`, 'map must produce an object', `r${j}`)} c[${j}]++; ${genStage(stages, j + 1, `r${j}`, kv, watched)}`;
    case 'keyBy':
      return `${attempt(`k${j}`)} ${reject(`!V(k${j})`, 'key must be a string, a finite number or a boolean', `k${j}`)} c[${j}]++; ${genStage(stages, j + 1, rv, `k${j}`, watched)}`;
    case 'flatMap':
      return `${attempt(`a${j}`)} ${reject(`!Array.isArray(a${j})`, 'flatMap code must return an array', `a${j}`)}
        for (let q${j} = 0; q${j} < a${j}.length; q${j}++) { const r${j} = a${j}[q${j}];
          ${reject(`typeof r${j} !== 'object' || r${j} === null || Array.isArray(r${j})`, 'flatMap must return an array of objects', `r${j}`)}
          c[${j}]++; ${genStage(stages, j + 1, `r${j}`, kv, watched)} }`;
  }
}

function compileLoop(stages: readonly Stage[], observers: readonly (RecordObserver | null)[]): ChainLoop {
  const watched = observers.map((o) => o !== null);
  const locals = stages.map((s, j) => `const f${j} = S[${j}].fn;${s.usesCtx ? ` const x${j} = X[${j}];` : ''}`).join('\n');
  const body = `${locals}
return function chainLoop(recs, ts, keys, wm, wmPrev, oR, oT, oK, oW, c, F) {
  const n = recs.length;
  for (let i = 0; i < n; i++) {
    const r = recs[i]; const t = ts[i]; const w = wm === null ? wmPrev : wm[i];
    const k = keys === null ? undefined : keys[i];
    ${genStage(stages, 0, 'r', 'k', watched)}
  }
};`;
  const contexts = stages.map((s) => ({ node: s.nodeId, timestamp: 0, key: undefined }) satisfies StageContext);
  return new Function('S', 'X', 'V', 'O', body)(stages, contexts, validKey, observers) as ChainLoop;
}

export class ChainOperator extends Operator {
  private loop: ChainLoop;
  private readonly observers: (RecordObserver | null)[];
  private readonly counts: Float64Array;
  private readonly keyed: boolean;
  private errs: (BatchBuilder | null)[];

  /**
   * @param inputKeyed whether records arrive with keys (an upstream keyBy)
   * Outputs: 0 is the last stage's `out`; 1 + j is stage j's `errors`.
   */
  constructor(
    job: JobControl,
    readonly stages: readonly Stage[],
    inputKeyed: boolean,
  ) {
    super(job, 1 + stages.length);
    this.observers = stages.map(() => null);
    this.loop = compileLoop(stages, this.observers);
    this.counts = new Float64Array(stages.length);
    this.keyed = inputKeyed || stages.some((s) => s.kind === 'keyBy');
    this.errs = stages.map(() => null);
  }

  /**
   * Watch what stage `stage` hands to the next stage of this chain (null stops watching). The loop
   * is regenerated with or without the call, so a chain nobody watches runs exactly as before.
   */
  observeStage(stage: number, fn: RecordObserver | null): void {
    if (stage < 0 || stage >= this.stages.length - 1) throw new RangeError(`stage ${stage} has no fused successor`);
    this.observers[stage] = fn;
    this.loop = compileLoop(this.stages, [...this.observers]);
  }

  errorsOutput(stage: number): Output {
    return this.outputs[1 + stage]!;
  }

  receive(_input: number, b: Batch): void {
    const wmPrev = this.wmOut;
    this.wms.update(0, b.wmEnd);
    const withWm = b.wm !== null;
    const oR: unknown[] = [];
    const oT: number[] = [];
    const oK = this.keyed ? [] : null;
    const oW = withWm ? [] : null;
    const c = this.counts;
    c.fill(0);
    this.loop(b.recs, b.ts, b.keys, b.wm, wmPrev, oR, oT, oK, oW, c, this);
    this.wmOut = b.wmEnd > wmPrev ? b.wmEnd : wmPrev;

    let inCount = b.recs.length;
    for (let j = 0; j < this.stages.length; j++) {
      const m = this.stages[j]!.metrics;
      m.recordsIn += inCount;
      m.recordsOut += c[j]!;
      inCount = c[j]!;
      if (this.wmOut > m.watermark) m.watermark = this.wmOut;
      const e = this.errs[j];
      if (e !== null && e !== undefined) {
        this.errs[j] = null;
        this.errorsOutput(j).emit(e.build(this.wmOut));
      } else if (this.wmOut > wmPrev) {
        this.errorsOutput(j).emit(watermarkOnly(this.wmOut));
      }
    }
    if (oR.length > 0 || this.wmOut > wmPrev) {
      this.outputs[0]!.emit({ recs: oR, ts: oT, keys: oK, wm: oW, wmEnd: this.wmOut });
    }
  }

  protected override advanceTo(wm: number): void {
    super.advanceTo(wm);
    for (const s of this.stages) if (this.wmOut > s.metrics.watermark) s.metrics.watermark = this.wmOut;
  }

  /** Called from the generated loop when a stage's function throws. */
  fail(stage: number, rec: unknown, err: unknown, ts: number, wm: number): void {
    this.routeError(stage, rec, errorMessage(err), ts, wm);
  }

  /** Called from the generated loop when a stage's result has the wrong shape. */
  reject(stage: number, rec: unknown, what: string, got: unknown, ts: number, wm: number): void {
    this.routeError(stage, rec, `${what}, got ${describe(got)}`, ts, wm);
  }

  private routeError(stage: number, rec: unknown, message: string, ts: number, wm: number): void {
    const s = this.stages[stage]!;
    s.metrics.errors++;
    s.metrics.noteError(message, rec);
    if (!this.errorsOutput(stage).connected) {
      throw new NodeError(s.nodeId, `${message} (record: ${preview(rec)})`);
    }
    let e = this.errs[stage];
    if (e === null || e === undefined) e = this.errs[stage] = new BatchBuilder(false, true);
    e.push({ node: s.nodeId, error: message, record: rec }, ts, undefined, wm);
  }
}

/** A short, safe rendering of a record for error messages. */
export function preview(rec: unknown, max = 200): string {
  let s: string;
  try {
    s = JSON.stringify(rec) ?? String(rec);
  } catch {
    s = String(rec);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
