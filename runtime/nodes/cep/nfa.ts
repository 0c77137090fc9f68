// The NFA at run time: Flink's NFA.process / advanceTime / computeNextStates, over a key's state
// passed in (the NFA itself holds only the compiled states). Partial and completed matches sit in
// java.util.PriorityQueue-like heaps ordered by their first event, explored in array order, as in
// Flink, so the same input yields the same matches in the same order.
import { Heap } from '../../engine/heap.js';
import type { CompiledNfa } from './compiler.js';
import { FINAL, IGNORE, PENDING, PROCEED, type State, STOP, type Transition } from './states.js';
import type { Evaluator } from './conditions.js';
import type { SkipStrategy } from './skip.js';
import { EventNode, materialize, Partial, startsBefore } from './shared-buffer.js';

/** A key's NFA state (Flink's NFAState). */
export class KeyState {
  partial: Heap<Partial>;
  /** Matches waiting for earlier partial matches to end (skip strategies only). */
  readonly completed = new Heap<Partial>(startsBefore);
  /** Due time this key is scheduled at in the operator's timeout queue (+Infinity: none). */
  timerAt = Infinity;
  /** That entry's place in the queue's insertion order (keys due at one time expire in it); -1: none. */
  timerSeq = -1;
  live = true;

  constructor(
    readonly key: unknown,
    start: Partial,
  ) {
    this.partial = new Heap<Partial>(startsBefore);
    this.partial.push(start);
  }

  /** Only the start state is left: the key holds nothing. */
  get empty(): boolean {
    return this.partial.size === 1 && this.completed.size === 0 && this.partial.peek()!.startSeq === Infinity;
  }

  /** Earliest first-event time among the partial matches (+Infinity when none). */
  get earliestStart(): number {
    return this.partial.peek()!.startTs;
  }
}

export interface TimeAdvance {
  /**
   * Matches the advance completed: pattern-ending notFollowedBy whose window ran out without the
   * negated event, and, under a skip strategy, matches that were waiting for an earlier partial
   * match that has now timed out.
   */
  readonly matches: Partial[];
  /** Partial matches dropped by `within` (only when timeouts are wanted). */
  readonly timeouts: Partial[];
  /** Everything whose window ran out (timed out or pending): what the waiting matches waited for. */
  readonly expired: Partial[];
}

const NO_ADVANCE: TimeAdvance = Object.freeze({ matches: [], timeouts: [], expired: [] });

export class Nfa {
  readonly startPartial: Partial;
  // Scratch space reused for every event (counts instead of resetting lengths, which V8 makes slow).
  private readonly edges: Transition[] = [];
  private readonly stack: State[] = [];
  private readonly stack2: State[] = [];
  private readonly next: Partial[] = [];
  private nextCount = 0;
  private event: unknown = undefined;
  private eventTs = 0;
  private eventSeq = 0;
  /** The partial match conditions are being evaluated for; read lazily by iterative conditions. */
  private current: Partial | null = null;
  private readonly source = { partialMatch: (): unknown => materialize(this.current?.node ?? null, this.names) };

  constructor(
    readonly compiled: CompiledNfa,
    private readonly ev: Evaluator,
    private readonly skip: SkipStrategy,
    /** `within` in ms; 0 for none. */
    readonly windowTime: number,
    private readonly names: readonly string[],
  ) {
    this.startPartial = new Partial(compiled.start, null, Infinity, Infinity);
  }

  newKeyState(key: unknown): KeyState {
    return new KeyState(key, this.startPartial);
  }

  /** The event the next startsMatch / process calls are about. */
  setEvent(rec: unknown, ts: number, seq: number): void {
    this.event = rec;
    this.eventTs = ts;
    this.eventSeq = seq;
    this.ev.setEvent(rec);
  }

  /**
   * Whether the event can change a key that holds nothing: only a TAKE from the start state can.
   * Lets the operator skip keys without state cheaply. Throws when a condition throws.
   */
  startsMatch(): boolean {
    const n = this.collectEdges(this.startPartial);
    for (let i = 0; i < n; i++) if (this.edges[i]!.action !== IGNORE) return true;
    return false;
  }

  /**
   * Feed the current event (NFA.process). Returns the completed matches to emit. Throws when a
   * condition throws, with the key's state untouched.
   */
  process(s: KeyState): Partial[] {
    const newPartial = new Heap<Partial>(startsBefore);
    const potential = new Heap<Partial>(startsBefore);
    const next = this.next;
    for (const cs of s.partial.items) {
      this.nextCount = 0;
      this.computeNextStates(cs);
      const n = this.nextCount;
      let discard = false;
      for (let i = 0; i < n; i++) {
        const kind = next[i]!.state.kind;
        if (kind === FINAL) potential.push(next[i]!);
        else if (kind === STOP) discard = true;
      }
      // A negated step's event arrived: the whole branch ends (completed matches stay).
      if (discard) continue;
      for (let i = 0; i < n; i++) if (next[i]!.state.kind !== FINAL) newPartial.push(next[i]!);
    }
    const result: Partial[] = [];
    this.processMatches(s, potential, newPartial, result);
    s.partial = newPartial;
    return result;
  }

  /**
   * No event older than `t` will come (NFA.advanceTime): partial matches whose window has run
   * out are dropped (returned as timeouts) or, waiting in a pattern-ending notFollowedBy, become
   * matches.
   */
  advanceTime(s: KeyState, t: number, wantTimeouts: boolean): TimeAdvance {
    const w = this.windowTime;
    // The heap's top is the earliest start (the start state sorts last): nothing can be due.
    if (w <= 0 || !(t - s.earliestStart >= w)) return NO_ADVANCE;
    const newPartial = new Heap<Partial>(startsBefore);
    const potential = new Heap<Partial>(startsBefore);
    const timeouts: Partial[] = [];
    const expired: Partial[] = [];
    for (const cs of s.partial.items) {
      if (!cs.state.start && t - cs.startTs >= w) {
        expired.push(cs);
        if (cs.state.kind === PENDING) potential.push(cs);
        else if (wantTimeouts) timeouts.push(cs);
      } else {
        newPartial.push(cs);
      }
    }
    const matches: Partial[] = [];
    this.processMatches(s, potential, newPartial, matches);
    s.partial = newPartial;
    return { matches, timeouts, expired };
  }

  /** NFA.processMatchesAccordingToSkipStrategy. */
  private processMatches(s: KeyState, potential: Heap<Partial>, partial: Heap<Partial>, result: Partial[]): void {
    const completed = s.completed;
    for (const p of potential.items) completed.push(p);
    for (let m = completed.peek(); m !== undefined; m = completed.peek()) {
      if (this.skip.isSkip) {
        // A match may only go out once no partial match that started earlier can still complete.
        const earliest = partial.peek();
        if (earliest !== undefined && startsBefore(earliest, m)) break;
      }
      completed.pop();
      if (this.skip.isSkip) {
        this.skip.prune(partial, m);
        this.skip.prune(completed, m);
      }
      result.push(m);
    }
  }

  /** NFA.computeNextStates: the partial matches `cs` branches into on the current event (into `next`). */
  private computeNextStates(cs: Partial): void {
    const edgeCount = this.collectEdges(cs);
    const isStart = cs.state.start;
    const next = this.next;
    for (let i = 0; i < edgeCount; i++) {
      const edge = this.edges[i]!;
      if (edge.action === IGNORE) {
        // The start state never ignores: it waits for a first event as itself.
        if (!isStart) next[this.nextCount++] = new Partial(edge.target, cs.node, cs.startTs, cs.startSeq);
        continue;
      }
      const node = new EventNode(edge.source.step, this.event, this.eventTs, this.eventSeq, cs.node);
      const startTs = isStart ? this.eventTs : cs.startTs;
      const startSeq = isStart ? this.eventSeq : cs.startSeq;
      next[this.nextCount++] = new Partial(edge.target, node, startTs, startSeq);
      const fin = this.finalAfterProceed(edge.target);
      if (fin !== null) next[this.nextCount++] = new Partial(fin, node, startTs, startSeq);
    }
    if (isStart) next[this.nextCount++] = this.startPartial;
  }

  /** createDecisionGraph: the TAKE and IGNORE edges open to `cs` after following PROCEEDs (depth first). */
  private collectEdges(cs: Partial): number {
    this.current = cs;
    this.ev.setSource(this.source);
    const edges = this.edges;
    const stack = this.stack;
    let n = 0;
    let sp = 0;
    stack[sp++] = cs.state;
    while (sp > 0) {
      const ts = stack[--sp]!.transitions;
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        if (!t.pred(this.ev)) continue;
        if (t.action === PROCEED) stack[sp++] = t.target;
        else edges[n++] = t;
      }
    }
    return n;
  }

  /** findFinalStateAfterProceed: whether the state reached can complete the match on PROCEEDs alone. */
  private finalAfterProceed(state: State): State | null {
    const stack = this.stack2;
    let sp = 0;
    stack[sp++] = state;
    while (sp > 0) {
      const ts = stack[--sp]!.transitions;
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        if (t.action !== PROCEED || !t.pred(this.ev)) continue;
        if (t.target.kind === FINAL) return t.target;
        stack[sp++] = t.target;
      }
    }
    return null;
  }
}
