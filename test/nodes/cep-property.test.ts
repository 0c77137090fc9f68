// Property test: on thousands of random short sequences and random patterns without negation,
// the NFA finds exactly the matches a brute-force matcher finds by trying every way to assign
// events to steps. The reference states Flink's contiguity rules declaratively:
// - a step takes between min and max events (a skipped step must be optional);
// - between a step's own events, inner contiguity: strict = adjacent, relaxed = no event in
//   between meets the step's condition, any = anything in between;
// - between the previous taken event and a step's first event, the step's contiguity, the same way
//   (skipped optional steps in between do not matter); the first event of a match may be anywhere.
// Every match is emitted once (noSkip), so the two sides must agree as multisets.
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../runtime/nodes/registry.js';
import { cepHarness, labelled, pushEvents, rng } from '../support/cep.js';

type Contiguity = 'strict' | 'relaxed' | 'any';
const CONTIGUITY: Contiguity[] = ['strict', 'relaxed', 'any'];
const LETTERS = ['a', 'b', 'c'];

interface RefStep {
  name: string;
  letters: string[];
  contiguity: Contiguity;
  min: number;
  max: number;
  inner: Contiguity;
  skippable: boolean;
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function randomStep(r: () => number, i: number): { params: Record<string, unknown>; ref: RefStep } {
  const letters = LETTERS.filter(() => r() < 0.45);
  if (letters.length === 0) letters.push(pick(r, LETTERS));
  const contiguity = pick(r, CONTIGUITY);
  const params: Record<string, unknown> = { name: `s${i}`, where: letters.map((l) => `t == '${l}'`).join(' || '), contiguity };
  const ref: RefStep = { name: `s${i}`, letters, contiguity, min: 1, max: 1, inner: 'relaxed', skippable: false };
  const q = r();
  if (q < 0.5) {
    const inner = pick(r, CONTIGUITY);
    const min = q < 0.1 ? 0 : 1 + Math.floor(r() * 2);
    const max = q < 0.3 ? null : Math.max(min, 1) + Math.floor(r() * 2);
    if (min === 0 && max === null) return randomStep(r, i);
    params.quantifier = { min, max, inner };
    Object.assign(ref, { min: Math.max(min, 1), max: max ?? Infinity, inner, skippable: min === 0 });
  }
  if (!ref.skippable && r() < 0.25) {
    params.optional = true;
    ref.skippable = true;
  }
  return { params, ref };
}

/** Every assignment of events to steps that satisfies the rules, as "step:event …". */
function reference(steps: RefStep[], events: string[]): string[] {
  const n = events.length;
  const meets = (s: number, j: number) => steps[s]!.letters.includes(events[j]![0]!);
  const gapOk = (c: Contiguity, s: number, from: number, to: number) => {
    if (c === 'strict') return to === from + 1;
    if (c === 'relaxed') for (let i = from + 1; i < to; i++) if (meets(s, i)) return false;
    return true;
  };
  const restSkippable = (s: number) => steps.slice(s + 1).every((x) => x.skippable);
  const out: string[] = [];
  const extend = (path: [number, number][], s: number, count: number) => {
    const pos = path[path.length - 1]![0];
    if (count >= steps[s]!.min && restSkippable(s)) out.push(path.map(([j, k]) => `${steps[k]!.name}:${events[j]}`).join(' '));
    for (let j = pos + 1; j < n; j++) {
      if (count < steps[s]!.max && meets(s, j) && gapOk(steps[s]!.inner, s, pos, j)) extend([...path, [j, s]], s, count + 1);
      if (count < steps[s]!.min) continue;
      for (let k = s + 1; k < steps.length; k++) {
        if (meets(k, j) && gapOk(steps[k]!.contiguity, k, pos, j)) extend([...path, [j, k]], k, 1);
        if (!steps[k]!.skippable) break;
      }
    }
  };
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < steps.length; k++) {
      if (meets(k, j)) extend([[j, k]], k, 1);
      if (!steps[k]!.skippable) break;
    }
  }
  return out;
}

function engine(pattern: Record<string, unknown>[], events: string[]): string[] {
  const h = pushEvents(cepHarness({ pattern }), events).watermark(Infinity).end();
  return h.outValues().map(labelled);
}

describe('NFA against a brute-force matcher (patterns without negation)', () => {
  it('agrees on thousands of random sequences', () => {
    const r = rng(20260101);
    const spec = REGISTRY.get('cep')!;
    let checked = 0;
    let withMatches = 0;
    for (let round = 0; checked < 3000; round++) {
      const steps = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => randomStep(r, i));
      const pattern = steps.map((s) => s.params);
      if (!spec.params.safeParse({ pattern }).success) continue;
      const len = 1 + Math.floor(r() * 7);
      const events = Array.from({ length: len }, (_, i) => `${pick(r, LETTERS)}${i + 1}`);
      const expected = reference(steps.map((s) => s.ref), events).sort();
      const actual = engine(pattern, events).sort();
      expect(actual, `pattern ${JSON.stringify(pattern)} over ${events.join(' ')}`).toEqual(expected);
      checked++;
      if (expected.length > 0) withMatches++;
    }
    // The sample is meaningful: most cases have matches to compare.
    expect(withMatches).toBeGreaterThan(1500);
  });

  it('the reference itself reproduces the documented contiguity examples', () => {
    const ab = (c: Contiguity): RefStep[] => [
      { name: 'a', letters: ['a'], contiguity: 'strict', min: 1, max: 1, inner: 'relaxed', skippable: false },
      { name: 'b', letters: ['b'], contiguity: c, min: 1, max: 1, inner: 'relaxed', skippable: false },
    ];
    const ev = ['a', 'c', 'b1', 'b2'];
    expect(reference(ab('strict'), ev)).toEqual([]);
    expect(reference(ab('relaxed'), ev)).toEqual(['a:a b:b1']);
    expect(reference(ab('any'), ev)).toEqual(['a:a b:b1', 'a:a b:b2']);
  });
});
