// The compiled NFA's states and transitions (Flink's State and StateTransition): a state belongs to
// a pattern step and is Normal, Final, Stop (a negated step's event arrived) or Pending (a
// pattern-ending notFollowedBy waiting for its window); its transitions TAKE the event, IGNORE it,
// or PROCEED to another state without consuming it.
import type { Cond, Pred } from './conditions.js';

export const NORMAL = 0;
export const FINAL = 1;
export const STOP = 2;
export const PENDING = 3;
export type Kind = typeof NORMAL | typeof FINAL | typeof STOP | typeof PENDING;

export const TAKE = 0;
export const IGNORE = 1;
export const PROCEED = 2;
export type Action = typeof TAKE | typeof IGNORE | typeof PROCEED;

export interface Transition {
  readonly action: Action;
  readonly source: State;
  readonly target: State;
  /** Mutable only while compiling: greedy steps narrow their successor's conditions. */
  cond: Cond;
  pred: Pred;
}

export class State {
  readonly transitions: Transition[] = [];
  start = false;

  constructor(
    /** Position in the compiled NFA's state list (snapshots refer to states by it). */
    readonly index: number,
    /** Flink's internal name: the step name, made unique with ':n' (NFAStateNameHandler). */
    readonly name: string,
    /** The pattern step whose events this state takes; -1 for the final state. */
    readonly step: number,
    readonly kind: Kind,
  ) {}

  add(action: Action, target: State, cond: Cond): void {
    this.transitions.push({ action, source: this, target, cond, pred: alwaysFalse });
  }

  get isFinal(): boolean {
    return this.kind === FINAL;
  }
}

const alwaysFalse: Pred = () => false;

