// The cep node against Apache Flink's own CepOperator (1.20.1, in its operator test harness): random
// patterns — every contiguity, negation, quantifier, optional, greedy, until, iterative
// conditions, within, every skip strategy — over random keyed streams with timestamp ties,
// disorder, late events and watermark jumps, in event time and in processing time. Both must
// reject the same patterns and, per key, emit the same matches, timeouts and late events in the
// same order. What is allowed to differ, by design (spec.ts):
// - a match completed by time (a pattern-ending notFollowedBy, or one held back by a skip
//   strategy) is stamped when its window ran out, Flink stamps it with the watermark that
//   revealed it: ours may be earlier, never later;
// - in processing time Flink's output has no timestamps;
// - an optional greedy step with until after notFollowedBy is refused by our validator; Flink
//   compiles it into an NFA that fails when until is met.
// Timestamps start at 1: Flink registers no `within` timer for a partial match starting at 0.
import { beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../runtime/nodes/registry.js';
import { cepHarness, labelled, pushEvents, rng } from '../support/cep.js';
import { flinkCondition, flinkReference, type RefCase, type RefCondition, type RefOutput, type RefResult, runFlinkCep } from '../support/flink-cep.js';

const LETTERS = ['a', 'b', 'c', 'd'];
const CONTIGUITY = ['strict', 'relaxed', 'any'];

function randomCase(r: () => number, time: 'event' | 'processing'): RefCase {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const condition = (earlier: string[], self: string): RefCondition => {
    const c: RefCondition = r() < 0.05 ? {} : { letters: LETTERS.filter(() => r() < 0.35) };
    if (c.letters?.length === 0) c.letters.push(pick(LETTERS));
    if (r() < 0.12) c.gtSum = pick([...earlier, self]);
    if (r() < 0.08) c.cntLt = { step: pick([...earlier, self]), n: 1 + Math.floor(r() * 3) };
    return c;
  };
  const names: string[] = [];
  const pattern: Record<string, unknown>[] = [];
  const steps = 1 + Math.floor(r() * 4);
  for (let i = 0; i < steps; i++) {
    const name = `s${i}`;
    const s: Record<string, unknown> = { name, cond: condition(names, name), contiguity: pick(CONTIGUITY) };
    if (i > 0 && r() < 0.22) {
      s.negated = true;
      if (s.contiguity === 'any') s.contiguity = 'relaxed';
    } else {
      if (r() < 0.45) {
        const min = r() < 0.15 ? 0 : 1 + Math.floor(r() * 2);
        const max = r() < 0.45 && min > 0 ? null : Math.max(min, 1) + Math.floor(r() * 2);
        const inner = pick(CONTIGUITY);
        s.quantifier = { min, max, inner };
        if (r() < 0.25 && inner !== 'any') s.greedy = true;
        if (max === null && r() < 0.2) s.until = condition(names, name);
      }
      if (!((s.quantifier as { min: number } | undefined)?.min === 0) && r() < 0.2) s.optional = true;
    }
    pattern.push(s);
    names.push(name);
  }
  const strategy = pick(['noSkip', 'noSkip', 'skipToNext', 'skipPastLastEvent', 'skipToFirst', 'skipToLast']);
  const c: RefCase = { pattern, afterMatch: strategy === 'skipToFirst' || strategy === 'skipToLast' ? { strategy, step: pick(names) } : { strategy }, time, events: [] };
  if (r() < 0.55) c.within = 2 + Math.floor(r() * 8);
  let ts = 1;
  let wm = -Infinity;
  let pt = 100;
  const keys = r() < 0.3 ? 2 : 1;
  const count = 3 + Math.floor(r() * 12);
  for (let i = 0; i < count; i++) {
    const roll = r();
    ts = roll < 0.55 ? ts + 1 : roll < 0.75 ? ts : roll < 0.88 ? ts + 2 + Math.floor(r() * 4) : Math.max(1, ts - 1 - Math.floor(r() * 3));
    const e: RefCase['events'][number] = { name: `${pick([...LETTERS, 'x'])}${i}`, ts, price: 1 + Math.floor(r() * 5), key: 1 + Math.floor(r() * keys) };
    if (time === 'processing') {
      pt += Math.floor(r() * 4);
      e.pt = pt;
    } else if (r() < 0.25) {
      wm = Math.max(wm, ts - Math.floor(r() * 3));
      e.wmAfter = wm;
    }
    c.events.push(e);
  }
  if (time === 'processing') c.endPt = pt + 30;
  return c;
}

/** The cep node's params for a case. */
function params(c: RefCase): Record<string, unknown> {
  const pattern = c.pattern.map(({ cond, until, ...s }) => ({ ...s, where: flinkCondition(cond as RefCondition), ...(until === undefined ? {} : { until: flinkCondition(until as RefCondition) }) }));
  return { pattern, afterMatch: c.afterMatch, time: c.time, ...(c.within === undefined ? {} : { within: c.within }) };
}

/** The cep node's outputs for a case, as FlinkCepReference writes Flink's. */
function runNode(c: RefCase): RefResult {
  const p = params(c);
  const parsed = REGISTRY.get('cep')!.params.safeParse(p);
  if (!parsed.success) return { error: parsed.error.issues.map((i) => i.message).join('; ') };
  const h = cepHarness(p, { keyed: true, connect: ['out', 'timeout', 'late'] });
  if (c.time === 'processing') {
    for (const e of c.events) {
      h.job.clock.advanceTo(e.pt!);
      pushEvents(h, [e]);
    }
    h.job.clock.advanceTo(c.endPt!);
  } else {
    pushEvents(h, c.events);
  }
  h.watermark(Infinity).end();
  const out: RefOutput[] = [];
  for (const port of ['out', 'timeout', 'late'] as const) {
    for (const o of h.output(port)) out.push({ port, ts: o.ts, m: port === 'late' ? (o.value as { name: string }).name : labelled(o.value) });
  }
  return { out };
}

/** Each port's records per key, in order. */
function perKey(c: RefCase, out: RefOutput[]): Map<string, RefOutput[]> {
  const keyOf = (o: RefOutput) => c.events.find((e) => e.name === (o.port === 'late' ? o.m : o.m.split(' ')[0]!.split(':')[1]))!.key;
  const g = new Map<string, RefOutput[]>();
  for (const o of out) {
    const k = `${o.port} of key ${keyOf(o)}`;
    g.set(k, [...(g.get(k) ?? []), o]);
  }
  return g;
}

/** Why the node's outputs differ from Flink's, or null when they agree. */
function difference(c: RefCase, node: RefResult, flink: RefResult): string | null {
  if ('error' in node || 'error' in flink) {
    if ('error' in node && 'error' in flink) return null;
    if ('error' in node && /optional, greedy and has until after notFollowedBy/.test(node.error)) return null;
    return `node: ${'error' in node ? node.error : 'runs'}; Flink: ${'error' in flink ? flink.error : 'runs'}`;
  }
  const ours = perKey(c, node.out);
  const theirs = perKey(c, flink.out);
  for (const k of new Set([...ours.keys(), ...theirs.keys()])) {
    const a = ours.get(k) ?? [];
    const b = theirs.get(k) ?? [];
    const names = (xs: RefOutput[]) => xs.map((o) => o.m).join(' | ');
    if (names(a) !== names(b)) return `${k}: node ${names(a)}; Flink ${names(b)}`;
    for (let i = 0; i < a.length; i++) {
      const t = b[i]!.ts;
      if (t === undefined) continue;
      const ok = a[i]!.port === 'out' ? a[i]!.ts! <= t : a[i]!.ts === t;
      if (!ok) return `${k}: ${a[i]!.m} stamped ${a[i]!.ts}, by Flink ${t}`;
    }
  }
  return null;
}

describe('the cep node against Flink 1.20.1 CepOperator', () => {
  beforeAll(() => {
    flinkReference();
  }, 600_000);

  for (const time of ['event', 'processing'] as const) {
    it(`agrees on random patterns and streams in ${time} time`, () => {
      const r = rng(time === 'event' ? 20240611 : 77);
      const cases = Array.from({ length: time === 'event' ? 600 : 300 }, () => randomCase(r, time));
      const flink = runFlinkCep(cases);
      const problems: string[] = [];
      let outputs = 0;
      let refused = 0;
      cases.forEach((c, i) => {
        const node = runNode(c);
        if ('error' in node) refused++;
        else outputs += node.out.length;
        const d = difference(c, node, flink[i]!);
        if (d !== null) problems.push(`case ${i} ${JSON.stringify({ ...params(c), events: c.events })}\n  ${d}`);
      });
      expect(problems.slice(0, 3).join('\n')).toBe('');
      // The cases exercise both sides: most patterns are valid and produce output.
      expect(refused).toBeLessThan(cases.length / 4);
      expect(outputs).toBeGreaterThan(cases.length * 2);
    }, 120_000);
  }
});
