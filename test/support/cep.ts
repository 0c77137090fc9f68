// Driving the cep node in tests: events written as Flink's tests write them ("a1", "b2"…), fed
// through the operator harness in event time, and matches read back as event names.
import { OperatorHarness } from './harness.js';

export interface Ev {
  /** Event name, e.g. "b2"; `t` is its letters ("b"), conditions test either. */
  name: string;
  /** Event time; default: position in the input, from 1. */
  ts?: number;
  price?: number;
  key?: unknown;
  /** Watermark after this event (default: none until the end). */
  wmAfter?: number;
}

export type Step = Record<string, unknown>;

/** A step matching events whose letters are `t` (or any of several). */
export function step(name: string, t: string | string[], more: Step = {}): Step {
  const ts = Array.isArray(t) ? t : [t];
  return { name, where: ts.map((x) => `t == '${x}'`).join(' || '), ...more };
}

function record(e: Ev): Record<string, unknown> {
  const r: Record<string, unknown> = { name: e.name, t: e.name.replace(/[0-9]+$/, '') };
  if (e.price !== undefined) r.price = e.price;
  return r;
}

export function toEvents(input: string | (string | Ev)[]): Ev[] {
  const list = typeof input === 'string' ? input.split(/\s+/).filter(Boolean) : input;
  return list.map((x) => (typeof x === 'string' ? { name: x } : x));
}

export function cepHarness(params: Record<string, unknown>, opts: { keyed?: boolean; connect?: string[] } = {}): OperatorHarness {
  return new OperatorHarness('cep', params, { keyed: opts.keyed ?? false, connect: opts.connect ?? ['out', 'timeout', 'late', 'errors'] });
}

/** Push events (timestamps default to their position), optionally leaving the input open. */
export function pushEvents(h: OperatorHarness, input: string | (string | Ev)[]): OperatorHarness {
  const evs = toEvents(input);
  h.push(evs.map((e, i) => ({ value: record(e), ts: e.ts ?? i + 1, key: e.key, wmAfter: e.wmAfter })));
  return h;
}

/** A match record's events in order, as "a1 b2". */
export function matchNames(out: unknown): string {
  const m = (out as { match: Record<string, { name: string }[]> }).match;
  return Object.values(m)
    .flat()
    .map((e) => e.name)
    .join(' ');
}

/** A match with its steps, as "a:a1 b:b1 b:b2". */
export function labelled(out: unknown): string {
  const m = (out as { match: Record<string, { name: string }[]> }).match;
  return Object.entries(m)
    .flatMap(([step, evs]) => evs.map((e) => `${step}:${e.name}`))
    .join(' ');
}

/** Run a pattern over events to the end of input; the matches as event names, in emission order. */
export function matches(params: Record<string, unknown>, input: string | (string | Ev)[]): string[] {
  const h = pushEvents(cepHarness(params), input).watermark(Infinity).end();
  return h.outValues().map(matchNames);
}

/** Flink's NFATestUtilities.comparePatterns ignores order: compare sorted. */
export function sorted(xs: string[]): string[] {
  return [...xs].sort();
}

/** A seeded random generator (mulberry32), so random tests are the same on every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
