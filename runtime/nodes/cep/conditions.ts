// Transition conditions of the compiled NFA. A condition is a small tree over the steps' `where`
// and `until` expressions (Flink's RichAndCondition / RichNotCondition / BooleanConditions.TRUE),
// turned into closures once. While one event is processed, a plain `where` is evaluated at most
// once however many partial matches ask (it reads only the record); an iterative one (it reads
// `match`) is evaluated per partial match with that match's events, as Flink's IterativeCondition
// sees ctx.getEventsForPattern.
import { compileExpression, referencedFields } from '../../expr/index.js';

export type Cond =
  | { readonly t: 'true' }
  | { readonly t: 'where' | 'until'; readonly step: number }
  | { readonly t: 'not'; readonly c: Cond }
  | { readonly t: 'and'; readonly a: Cond; readonly b: Cond };

export const TRUE: Cond = { t: 'true' };
export const not = (c: Cond): Cond => ({ t: 'not', c });
export const and = (a: Cond, b: Cond): Cond => ({ t: 'and', a, b });

type Expr = (event: unknown, match: unknown) => unknown;

/** One step's compiled expressions. */
interface StepExprs {
  where: Expr;
  whereIterative: boolean;
  until: Expr | null;
  untilIterative: boolean;
}

/** What evaluating a condition needs: the event, and (lazily) the partial match so far. */
export interface EvalSource {
  /** The events of the partial match being advanced, as `{step: [records]}`. */
  partialMatch(): unknown;
}

export type Pred = (x: Evaluator) => boolean;

const PARAMS = { params: ['event', 'match'] };

/** Whether an expression reads `match` (then its value depends on the partial match). */
function readsMatch(src: string): boolean {
  return referencedFields(src, { params: ['event'] }).includes('match');
}

/** Evaluates compiled conditions for the event being processed, caching per event. */
export class Evaluator {
  private readonly steps: StepExprs[];
  /** Per step: 2·i for where, 2·i + 1 for until; the event generation the value is for. */
  private readonly cacheGen: Float64Array;
  private readonly cacheVal: Uint8Array;
  private gen = 0;
  event: unknown = undefined;
  source: EvalSource | null = null;
  private sourceMatch: unknown = undefined;
  private sourceRead = false;

  constructor(steps: readonly { where: string; until?: string }[]) {
    this.steps = steps.map((s) => ({
      where: compileExpression(s.where, PARAMS) as Expr,
      whereIterative: readsMatch(s.where),
      until: s.until === undefined ? null : (compileExpression(s.until, PARAMS) as Expr),
      untilIterative: s.until !== undefined && readsMatch(s.until),
    }));
    this.cacheGen = new Float64Array(steps.length * 2).fill(-1);
    this.cacheVal = new Uint8Array(steps.length * 2);
  }

  /** A new event: cached values are for the previous one. */
  setEvent(event: unknown): void {
    this.event = event;
    this.gen++;
  }

  /** The partial match conditions are evaluated for (iterative conditions read it). */
  setSource(source: EvalSource | null): void {
    this.source = source;
    this.sourceRead = false;
    this.sourceMatch = undefined;
  }

  where(step: number): boolean {
    const s = this.steps[step]!;
    if (s.whereIterative) return !!s.where(this.event, this.match());
    return this.cached(2 * step, s.where);
  }

  until(step: number): boolean {
    const s = this.steps[step]!;
    if (s.untilIterative) return !!s.until!(this.event, this.match());
    return this.cached(2 * step + 1, s.until!);
  }

  private cached(slot: number, fn: Expr): boolean {
    if (this.cacheGen[slot] === this.gen) return this.cacheVal[slot] === 1;
    const v = !!fn(this.event, undefined);
    this.cacheGen[slot] = this.gen;
    this.cacheVal[slot] = v ? 1 : 0;
    return v;
  }

  private match(): unknown {
    if (!this.sourceRead) {
      this.sourceMatch = this.source === null ? {} : this.source.partialMatch();
      this.sourceRead = true;
    }
    return this.sourceMatch;
  }
}

const alwaysTrue: Pred = () => true;

/** Compile a condition tree to a predicate over the evaluator (short-circuit, left first, as Flink's RichAndCondition). */
export function predicate(c: Cond): Pred {
  switch (c.t) {
    case 'true':
      return alwaysTrue;
    case 'where': {
      const step = c.step;
      return (x) => x.where(step);
    }
    case 'until': {
      const step = c.step;
      return (x) => x.until(step);
    }
    case 'not': {
      const p = predicate(c.c);
      return (x) => !p(x);
    }
    case 'and': {
      const a = predicate(c.a);
      const b = predicate(c.b);
      return (x) => a(x) && b(x);
    }
  }
}
