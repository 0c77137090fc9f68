// Pattern → NFA, once per node: Flink's NFACompiler.NFAFactoryCompiler, step for step. The
// pattern is walked from its last step to its first; each step becomes one or more states whose
// TAKE / IGNORE / PROCEED transitions carry conditions, negated steps become Stop states (and a
// Pending state when a notFollowedBy ends a pattern with `within`), optional steps get copies of
// their successors without the NOT edges they skip over (copyWithoutTransitiveNots). The states
// are created, named and wired in Flink's order, because the NFA explores transitions in that
// order and the order of its partial matches decides ties between matches. Group patterns and
// per-step `within` (WithinType.PREVIOUS_AND_CURRENT) are not part of the pipeline format.
import { and, type Cond, not, predicate, TRUE } from './conditions.js';
import type { Contiguity, StepParams } from './spec-rules.js';
import { FINAL, IGNORE, type Kind, NORMAL, PENDING, PROCEED, State, STOP, TAKE } from './states.js';

type Consuming = 'strict' | 'next' | 'any' | 'notNext' | 'notFollow';

/** A step as Flink's Pattern and Quantifier describe it. */
interface FlinkStep {
  readonly index: number;
  readonly name: string;
  readonly consuming: Consuming;
  readonly inner: Consuming;
  readonly looping: boolean;
  readonly times: { readonly from: number; readonly to: number } | null;
  readonly optional: boolean;
  readonly greedy: boolean;
  readonly hasUntil: boolean;
}

const BY_CONTIGUITY: Readonly<Record<Contiguity, Consuming>> = { strict: 'strict', relaxed: 'next', any: 'any' };

function toFlink(s: StepParams, index: number): FlinkStep {
  const q = s.quantifier;
  // Pattern.begin is STRICT; notNext / notFollowedBy by contiguity; times(0, n) = times(1, n).optional().
  const consuming: Consuming = index === 0 ? 'strict' : s.negated ? (s.contiguity === 'strict' ? 'notNext' : 'notFollow') : BY_CONTIGUITY[s.contiguity];
  const times = q === undefined ? null : q.max === null ? { from: q.min, to: q.min } : { from: Math.max(q.min, 1), to: q.max };
  return {
    index,
    name: s.name,
    consuming,
    inner: BY_CONTIGUITY[q?.inner ?? 'relaxed'],
    looping: q !== undefined && q.max === null,
    times,
    optional: s.optional || q?.min === 0,
    greedy: s.greedy,
    hasUntil: s.until !== undefined,
  };
}

export interface CompiledNfa {
  readonly states: readonly State[];
  readonly start: State;
}

const ENDING_STATE_NAME = '$endState$';

export function compileNfa(pattern: readonly StepParams[], windowTime: number): CompiledNfa {
  return new Compiler(pattern.map(toFlink), windowTime).compile();
}

class Compiler {
  private readonly states: State[] = [];
  private readonly usedNames = new Set<string>();
  /** Per base name, the counter to try next: names come out as Flink's, without retrying every used one. */
  private readonly nextCounter = new Map<string, number>();
  private readonly stopStates = new Map<string, State>();
  private readonly originalStateMap = new Map<string, State>();
  private cur: number;
  private following: number | null = null;

  constructor(
    private readonly p: readonly FlinkStep[],
    private readonly windowTime: number,
  ) {
    this.cur = p.length - 1;
  }

  compile(): CompiledNfa {
    const end = this.createState(ENDING_STATE_NAME, FINAL, -1);
    const sink = this.createMiddleStates(end);
    const start = this.convertPattern(sink);
    start.start = true;
    for (const s of this.states) for (const t of s.transitions) t.pred = predicate(t.cond);
    return { states: this.states, start };
  }

  /**
   * NFAStateNameHandler.getUniqueInternalName. Flink counts up from 0 on every call, so a step
   * repeated n times (`times(1, n)`, one state each) costs n² lookups: 16 s at n = 10,000. The
   * counters a name has used stay used, so starting from the last one gives the same names.
   */
  private createState(name: string, kind: Kind, step: number): State {
    let candidate = name;
    let counter = this.nextCounter.get(name) ?? 0;
    while (this.usedNames.has(candidate)) candidate = `${name}:${counter++}`;
    this.nextCounter.set(name, counter);
    this.usedNames.add(candidate);
    const s = new State(this.states.length, candidate, step, kind);
    this.states.push(s);
    return s;
  }

  private take(i: number): Cond {
    return { t: 'where', step: i };
  }

  private until(i: number): Cond | null {
    return this.p[i]!.hasUntil ? { t: 'until', step: i } : null;
  }

  private ignoreFor(consuming: Consuming, i: number): Cond | null {
    if (consuming === 'next') return not(this.take(i));
    if (consuming === 'any') return TRUE;
    return null;
  }

  private createMiddleStates(sink: State): State {
    let last = sink;
    while (this.cur > 0) {
      const pat = this.p[this.cur]!;
      if (pat.consuming === 'notFollow') {
        // Converted into edge conditions, except at the end of a pattern with a window.
        if (this.windowTime > 0 && last.isFinal) {
          const pending = this.createState(pat.name, PENDING, this.cur);
          const notCond = this.take(this.cur);
          pending.add(PROCEED, this.createStopState(notCond, this.cur), notCond);
          pending.add(IGNORE, pending, not(notCond));
          last = pending;
        }
      } else if (pat.consuming === 'notNext') {
        const notNext = this.createState(pat.name, NORMAL, this.cur);
        const notCond = this.take(this.cur);
        const stop = this.createStopState(notCond, this.cur);
        // At the end, IGNORE so that the proceed to the final state is not taken on its own.
        if (last.isFinal) notNext.add(IGNORE, last, not(notCond));
        else notNext.add(PROCEED, last, not(notCond));
        notNext.add(PROCEED, stop, notCond);
        last = notNext;
      } else {
        last = this.convertPattern(last);
      }
      this.following = this.cur;
      this.cur--;
    }
    return last;
  }

  private convertPattern(sink: State): State {
    const pat = this.p[this.cur]!;
    let last: State;
    if (pat.looping) {
      const looping = this.createLooping(this.copyWithoutTransitiveNots(sink));
      last = this.createTimesState(looping, sink, pat.times!);
    } else if (pat.times !== null) {
      last = this.createTimesState(sink, sink, pat.times);
    } else {
      last = this.createSingletonState(sink, sink, this.take(this.cur), this.ignoreFor(pat.consuming, this.cur), pat.optional);
    }
    this.addStopStates(last);
    return last;
  }

  /** NOT conditions reachable backwards over optional steps (getCurrentNotCondition). */
  private currentNots(): { cond: Cond; step: number }[] {
    const out: { cond: Cond; step: number }[] = [];
    let i = this.cur;
    while (i > 0 && (this.p[i - 1]!.optional || this.p[i - 1]!.consuming === 'notFollow')) {
      i--;
      if (this.p[i]!.consuming === 'notFollow') out.push({ cond: this.take(i), step: i });
    }
    return out;
  }

  private createStopState(notCond: Cond, step: number): State {
    const name = this.p[step]!.name;
    let stop = this.stopStates.get(name);
    if (stop === undefined) {
      stop = this.createState(name, STOP, step);
      stop.add(TAKE, stop, notCond);
      this.stopStates.set(name, stop);
    }
    return stop;
  }

  /**
   * Taking an event in an optional step voids the NOT steps it skipped over: for
   * a notFollowedBy(b) c? d, "a c b d" matches but "a b d" does not. Copies only when needed.
   */
  private copyWithoutTransitiveNots(sink: State): State {
    const nots = this.currentNots();
    if (nots.length === 0 || !this.p[this.cur]!.optional) return sink;
    const copy = this.createState(sink.name, sink.kind, sink.step);
    for (const t of sink.transitions) {
      if (t.action === PROCEED) {
        let target = t.target;
        let remove = false;
        if (target.kind === STOP) {
          for (const n of nots) if (target.name === this.p[n.step]!.name) remove = true;
        } else {
          target = this.copyWithoutTransitiveNots(target);
        }
        if (!remove) copy.add(t.action, target, t.cond);
      } else {
        copy.add(t.action, t.target === t.source ? copy : t.target, t.cond);
      }
    }
    return copy;
  }

  private copy(state: State): State {
    const c = this.createState(state.name.split(':')[0]!, state.kind, state.step);
    for (const t of state.transitions) c.add(t.action, t.target === t.source ? c : t.target, t.cond);
    return c;
  }

  private addStopStates(state: State): void {
    for (const n of this.currentNots()) state.add(PROCEED, this.createStopState(n.cond, n.step), n.cond);
  }

  private addStopStateToLooping(state: State): void {
    const f = this.following;
    if (f !== null && this.p[f]!.consuming === 'notFollow') {
      const notCond = this.take(f);
      state.add(PROCEED, this.createStopState(notCond, f), notCond);
    }
  }

  private createTimesState(sink: State, proceed: State, times: { from: number; to: number }): State {
    const pat = this.p[this.cur]!;
    const until = this.until(this.cur);
    const innerIgnore = extendWithUntil(this.ignoreFor(pat.inner, this.cur), until, false);
    const take = extendWithUntil(this.take(this.cur), until, true)!;
    if (pat.greedy && times.from !== times.to) {
      if (until !== null) this.originalStateMap.set(sink.name, this.copy(sink));
      updateWithGreedyCondition(sink, take);
    }
    let last = sink;
    for (let i = times.from; i < times.to; i++) {
      last = this.createSingletonState(last, proceed, take, innerIgnore, true);
      this.addStopStateToLooping(last);
    }
    for (let i = 0; i < times.from - 1; i++) {
      last = this.createSingletonState(last, null, take, innerIgnore, false);
      this.addStopStateToLooping(last);
    }
    return this.createSingletonState(last, proceed, take, this.ignoreFor(pat.consuming, this.cur), pat.optional);
  }

  private createSingletonState(sink: State, proceed: State | null, take: Cond, ignore: Cond | null, isOptional: boolean): State {
    const pat = this.p[this.cur]!;
    const single = this.createState(pat.name, NORMAL, this.cur);
    // Taking an event voids the NOT steps skipped over; not taking it keeps them.
    const sinkAfterTake = this.copyWithoutTransitiveNots(sink);
    single.add(TAKE, sinkAfterTake, take);
    if (isOptional) {
      const until = this.until(this.cur);
      if (pat.greedy && until !== null) {
        const original = this.originalStateMap.get(proceed!.name);
        if (original === undefined) throw new Error(`step '${pat.name}': optional, greedy and until together after a negated step are not supported`);
        single.add(PROCEED, original, and(TRUE, until));
        single.add(PROCEED, proceed!, and(TRUE, not(until)));
      } else {
        single.add(PROCEED, proceed!, TRUE);
      }
    }
    if (ignore !== null) {
      let ignoreState = single;
      if (isOptional) {
        ignoreState = this.createState(pat.name, NORMAL, this.cur);
        ignoreState.add(TAKE, sinkAfterTake, take);
        ignoreState.add(IGNORE, ignoreState, ignore);
        this.addStopStates(ignoreState);
      }
      single.add(IGNORE, ignoreState, ignore);
    }
    return single;
  }

  private createLooping(sink: State): State {
    const pat = this.p[this.cur]!;
    const until = this.until(this.cur);
    const ignore = extendWithUntil(this.ignoreFor(pat.inner, this.cur), until, false);
    const take = extendWithUntil(this.take(this.cur), until, true)!;
    const looping = this.createState(pat.name, NORMAL, this.cur);
    if (pat.greedy) {
      if (until !== null) {
        const sinkCopy = this.copy(sink);
        looping.add(PROCEED, sinkCopy, and(TRUE, until));
        this.originalStateMap.set(sink.name, sinkCopy);
      }
      looping.add(PROCEED, sink, until !== null ? and(TRUE, not(until)) : TRUE);
      updateWithGreedyCondition(sink, this.take(this.cur));
    } else {
      looping.add(PROCEED, sink, TRUE);
    }
    looping.add(TAKE, looping, take);
    this.addStopStateToLooping(looping);
    if (ignore !== null) {
      const ignoreState = this.createState(pat.name, NORMAL, this.cur);
      ignoreState.add(TAKE, looping, take);
      ignoreState.add(IGNORE, ignoreState, ignore);
      looping.add(IGNORE, ignoreState, ignore);
      this.addStopStateToLooping(ignoreState);
    }
    return looping;
  }
}

function extendWithUntil(cond: Cond | null, until: Cond | null, isTake: boolean): Cond | null {
  if (until !== null && cond !== null) return and(not(until), cond);
  if (until !== null && isTake) return not(until);
  return cond;
}

/** A greedy step keeps the events it can take from its successor. */
function updateWithGreedyCondition(state: State, take: Cond): void {
  for (const t of state.transitions) t.cond = and(t.cond, not(take));
}
