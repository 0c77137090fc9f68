// Conformance with "FlinkCEP - Complex event processing for Flink" (Flink docs, libs/cep): every
// example of the page that states its result, run through the cep node in event time. Where the
// page's own test (flink-cep AfterMatchSkipITCase, "Example from docs") pins a detail the page
// leaves open (b+ is consecutive and greedy in the skip table), the test says so.
import { describe, expect, it } from 'vitest';
import { cepHarness, type Ev, matches, matchNames, pushEvents, sorted, step } from '../support/cep.js';

describe('Combining Patterns: contiguity, pattern "a b" over "a c b1 b2"', () => {
  const ab = (contiguity: string) => ({ pattern: [step('a', 'a'), step('b', 'b', { contiguity })] });
  const input = 'a c b1 b2';

  it('strict (next): no match, c after a discards a', () => {
    expect(matches(ab('strict'), input)).toEqual([]);
  });

  it('relaxed (followedBy): {a b1}', () => {
    expect(matches(ab('relaxed'), input)).toEqual(['a b1']);
  });

  it('non-deterministic relaxed (followedByAny): {a b1}, {a b2}', () => {
    expect(sorted(matches(ab('any'), input))).toEqual(['a b1', 'a b2']);
  });
});

describe('Contiguity within looping patterns: "a b+ c" over "a b1 d1 b2 d2 b3 c"', () => {
  // a followedByAny b+ followedBy c, the loop's inner contiguity varied.
  const abc = (inner: string, cContiguity = 'relaxed') => ({
    pattern: [step('a', 'a'), step('b', 'b', { contiguity: 'any', quantifier: { min: 1, max: null, inner } }), step('c', 'c', { contiguity: cContiguity })],
  });
  const input = 'a b1 d1 b2 d2 b3 c';

  it('relaxed: {a b1 c}, {a b1 b2 c}, {a b1 b2 b3 c}, {a b2 c}, {a b2 b3 c}, {a b3 c}', () => {
    expect(sorted(matches(abc('relaxed'), input))).toEqual(sorted(['a b1 c', 'a b1 b2 c', 'a b1 b2 b3 c', 'a b2 c', 'a b2 b3 c', 'a b3 c']));
  });

  it('non-deterministic relaxed (allowCombinations): the same plus {a b1 b3 c}', () => {
    expect(sorted(matches(abc('any'), input))).toEqual(sorted(['a b1 c', 'a b1 b2 c', 'a b1 b3 c', 'a b1 b2 b3 c', 'a b2 c', 'a b2 b3 c', 'a b3 c']));
  });

  it('strict (consecutive): {a b3 c}, d1 after b1 and d2 after b2 discard them (the page\'s result needs c strict after b+)', () => {
    expect(matches(abc('strict', 'strict'), input)).toEqual(['a b3 c']);
  });
});

describe('consecutive() and allowCombinations(): c, a+ , b over "C D A1 A2 A3 D A4 B"', () => {
  const pattern = (inner: string) => ({ pattern: [step('start', 'c'), step('middle', 'a', { quantifier: { min: 1, max: null, inner } }), step('end1', 'b')] });
  const input = 'c d a1 a2 a3 d a4 b';

  it('consecutive: {C A1 B}, {C A1 A2 B}, {C A1 A2 A3 B}', () => {
    expect(sorted(matches(pattern('strict'), input))).toEqual(sorted(['c a1 b', 'c a1 a2 b', 'c a1 a2 a3 b']));
  });

  it('without consecutive: also {C A1 A2 A3 A4 B}', () => {
    expect(sorted(matches(pattern('relaxed'), input))).toEqual(sorted(['c a1 b', 'c a1 a2 b', 'c a1 a2 a3 b', 'c a1 a2 a3 a4 b']));
  });

  it('allowCombinations: all 15 combinations (the page\'s list needs middle to follow c with followedByAny, as in Flink\'s NFAITCase)', () => {
    const expected = [
      'c a1 b', 'c a1 a2 b', 'c a1 a3 b', 'c a1 a4 b', 'c a1 a2 a3 b', 'c a1 a2 a4 b', 'c a1 a3 a4 b', 'c a1 a2 a3 a4 b',
      'c a2 b', 'c a2 a3 b', 'c a2 a4 b', 'c a2 a3 a4 b', 'c a3 b', 'c a3 a4 b', 'c a4 b',
    ];
    const p = { pattern: [step('start', 'c'), step('middle', 'a', { contiguity: 'any', quantifier: { min: 1, max: null, inner: 'any' } }), step('end1', 'b')] };
    expect(sorted(matches(p, input))).toEqual(sorted(expected));
  });

  it('allowCombinations after followedBy: the combinations that start at A1, the first a after c', () => {
    const expected = ['c a1 b', 'c a1 a2 b', 'c a1 a3 b', 'c a1 a4 b', 'c a1 a2 a3 b', 'c a1 a2 a4 b', 'c a1 a3 a4 b', 'c a1 a2 a3 a4 b'];
    expect(sorted(matches(pattern('any'), input))).toEqual(sorted(expected));
  });
});

describe('Iterative Conditions: middle takes "foo" events while the prices it accepted plus this one stay under 5.0', () => {
  it('takes foo1 and foo2 (sum 3) but not foo3 (sum 5), and a relaxed loop cannot skip foo2 for foo3', () => {
    const p = {
      pattern: [
        { name: 'start', where: "name == 'start'" },
        { name: 'middle', where: "startsWith(name, 'foo') && coalesce(sum(match.middle, 'price'), 0) + price < 5.0", quantifier: { min: 1, max: null } },
        { name: 'end', where: "name == 'end'" },
      ],
    };
    const evs: Ev[] = [{ name: 'start' }, { name: 'foo1', price: 1 }, { name: 'foo2', price: 2 }, { name: 'foo3', price: 2 }, { name: 'end' }];
    expect(sorted(matches(p, evs))).toEqual(['start foo1 end', 'start foo1 foo2 end']);
  });
});

describe('Stop condition: "(a+ until b)" over "a1 c a2 b a3"', () => {
  it('gives {a1 a2} {a1} {a2} {a3}, never {a1 a2 a3} nor {a2 a3}', () => {
    const p = { pattern: [step('a', 'a', { quantifier: { min: 1, max: null }, until: "t == 'b'" })] };
    expect(sorted(matches(p, 'a1 c a2 b a3'))).toEqual(sorted(['a1 a2', 'a1', 'a2', 'a3']));
  });
});

describe('Quantifiers: every variant of the page\'s list, as c, a{q}, d over "c a1 a2 a3 d"', () => {
  // Results follow from the contiguity rules (relaxed everywhere): the loop must take the first a
  // after c and cannot skip an a; greedy keeps the loop from handing an a on to d.
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['times(4)', { quantifier: { min: 4, max: 4 } }, []],
    ['times(4).optional()', { quantifier: { min: 4, max: 4 }, optional: true }, ['c d']],
    ['times(2, 4)', { quantifier: { min: 2, max: 4 } }, ['c a1 a2 d', 'c a1 a2 a3 d']],
    ['times(2, 4).greedy()', { quantifier: { min: 2, max: 4 }, greedy: true }, ['c a1 a2 a3 d']],
    ['times(2, 4).optional()', { quantifier: { min: 2, max: 4 }, optional: true }, ['c d', 'c a1 a2 d', 'c a1 a2 a3 d']],
    ['times(2, 4).optional().greedy()', { quantifier: { min: 2, max: 4 }, optional: true, greedy: true }, ['c a1 a2 a3 d']],
    ['oneOrMore()', { quantifier: { min: 1, max: null } }, ['c a1 d', 'c a1 a2 d', 'c a1 a2 a3 d']],
    ['oneOrMore().greedy()', { quantifier: { min: 1, max: null }, greedy: true }, ['c a1 a2 a3 d']],
    ['oneOrMore().optional()', { quantifier: { min: 1, max: null }, optional: true }, ['c d', 'c a1 d', 'c a1 a2 d', 'c a1 a2 a3 d']],
    ['oneOrMore().optional().greedy()', { quantifier: { min: 1, max: null }, optional: true, greedy: true }, ['c a1 a2 a3 d']],
    ['timesOrMore(2)', { quantifier: { min: 2, max: null } }, ['c a1 a2 d', 'c a1 a2 a3 d']],
    ['timesOrMore(2).greedy()', { quantifier: { min: 2, max: null }, greedy: true }, ['c a1 a2 a3 d']],
    ['timesOrMore(2).optional()', { quantifier: { min: 2, max: null }, optional: true }, ['c d', 'c a1 a2 d', 'c a1 a2 a3 d']],
    ['timesOrMore(2).optional().greedy()', { quantifier: { min: 2, max: null }, optional: true, greedy: true }, ['c a1 a2 a3 d']],
  ];
  for (const [name, q, expected] of cases) {
    it(name, () => {
      const p = { pattern: [step('start', 'c'), step('middle', 'a', q), step('end', 'd')] };
      expect(sorted(matches(p, 'c a1 a2 a3 d'))).toEqual(sorted(expected));
    });
  }
});

describe('After Match Skip Strategy: pattern "b+ c" over "b1 b2 b3 c"', () => {
  // AfterMatchSkipITCase's "Example from docs": b+ is oneOrMore().consecutive().greedy(), then next c.
  const bc = (strategy: string, skipStep?: string) => ({
    pattern: [step('b', 'b', { quantifier: { min: 1, max: null, inner: 'strict' }, greedy: true }), step('c', 'c', { contiguity: 'strict' })],
    afterMatch: skipStep === undefined ? { strategy } : { strategy, step: skipStep },
  });
  const input = 'b1 b2 b3 c';
  const table: [string, string | undefined, string[]][] = [
    ['noSkip', undefined, ['b1 b2 b3 c', 'b2 b3 c', 'b3 c']],
    ['skipToNext', undefined, ['b1 b2 b3 c', 'b2 b3 c', 'b3 c']],
    ['skipPastLastEvent', undefined, ['b1 b2 b3 c']],
    ['skipToFirst', 'b', ['b1 b2 b3 c', 'b2 b3 c', 'b3 c']],
    ['skipToLast', 'b', ['b1 b2 b3 c', 'b3 c']],
  ];
  for (const [strategy, skipStep, expected] of table) {
    it(`${strategy}${skipStep ? `[${skipStep}]` : ''}: ${expected.map((m) => `{${m}}`).join(' ')}`, () => {
      expect(matches(bc(strategy, skipStep), input)).toEqual(expected);
    });
  }
});

describe('NO_SKIP vs SKIP_TO_FIRST: "(a | b | c) (b | c) c+.greedy d" over "a b c1 c2 c3 d"', () => {
  const p = (strategy: string, skipStep?: string) => ({
    pattern: [step('abc', ['a', 'b', 'c']), step('bc', ['b', 'c']), step('cs', 'c', { quantifier: { min: 1, max: null }, greedy: true }), step('d', 'd')],
    afterMatch: skipStep === undefined ? { strategy } : { strategy, step: skipStep },
  });

  it('NO_SKIP: {a b c1 c2 c3 d}, {b c1 c2 c3 d}, {c1 c2 c3 d}', () => {
    expect(matches(p('noSkip'), 'a b c1 c2 c3 d')).toEqual(['a b c1 c2 c3 d', 'b c1 c2 c3 d', 'c1 c2 c3 d']);
  });

  it('SKIP_TO_FIRST[c*]: {a b c1 c2 c3 d}, {c1 c2 c3 d}; the match that started at b is discarded', () => {
    expect(matches(p('skipToFirst', 'cs'), 'a b c1 c2 c3 d')).toEqual(['a b c1 c2 c3 d', 'c1 c2 c3 d']);
  });
});

describe('NO_SKIP vs SKIP_TO_NEXT: "a b+" over "a b1 b2 b3"', () => {
  const p = (strategy: string) => ({ pattern: [step('a', 'a'), step('b', 'b', { contiguity: 'strict', quantifier: { min: 1, max: null } })], afterMatch: { strategy } });

  it('NO_SKIP: {a b1}, {a b1 b2}, {a b1 b2 b3}', () => {
    expect(matches(p('noSkip'), 'a b1 b2 b3')).toEqual(['a b1', 'a b1 b2', 'a b1 b2 b3']);
  });

  it('SKIP_TO_NEXT: {a b1}; every other partial match started at a', () => {
    expect(matches(p('skipToNext'), 'a b1 b2 b3')).toEqual(['a b1']);
  });
});

describe('notFollowedBy at the end with within (a pattern sequence can end with notFollowedBy() with a temporal constraint)', () => {
  // The page's example: begin("start").next("middle").where(name == "a").notFollowedBy("end").where(name == "b").within(10s)
  const p = { pattern: [{ name: 'start', where: 'true' }, step('middle', 'a', { contiguity: 'strict' }), step('end', 'b', { negated: true })], within: '10s' };

  it('matches once 10 s have passed without a b, stamped first event + 10 s; a b inside the window discards it', () => {
    const evs: Ev[] = [
      { name: 'x1', ts: 0 },
      { name: 'a1', ts: 1_000 },
      { name: 'c1', ts: 3_000 },
      { name: 'x2', ts: 20_000 },
      { name: 'a2', ts: 21_000 },
      { name: 'b2', ts: 25_000 },
      { name: 'z', ts: 40_000 },
    ];
    const h = pushEvents(cepHarness(p), evs).watermark(Infinity).end();
    expect(h.outValues().map(matchNames)).toEqual(['x1 a1']);
    expect(h.output()[0]!.ts).toBe(10_000);
  });

  it('waits for the watermark to pass the window before emitting', () => {
    const h = pushEvents(cepHarness(p), [{ name: 'x1', ts: 0 }, { name: 'a1', ts: 1_000, wmAfter: 5_000 }]);
    expect(h.outValues()).toEqual([]);
    h.watermark(9_999);
    expect(h.outValues()).toEqual([]);
    h.watermark(10_000);
    expect(h.outValues().map(matchNames)).toEqual(['x1 a1']);
  });
});

describe('Examples', () => {
  it('start, middle(name = "error") -> end(name = "critical") within 10 s, keyed by id, in event time', () => {
    const p = { pattern: [{ name: 'start', where: 'true' }, { name: 'middle', contiguity: 'strict', where: "name == 'error'" }, { name: 'end', where: "name == 'critical'" }], within: '10s' };
    const h = cepHarness(p, { keyed: true });
    const e = (name: string, id: number, ts: number) => ({ value: { name, id }, ts, key: id });
    h.push([e('login', 1, 0), e('login', 2, 500), e('error', 1, 1_000), e('error', 2, 1_500), e('noise', 1, 2_000), e('critical', 1, 4_000), e('critical', 2, 12_000)]);
    h.watermark(Infinity).end();
    expect(h.outValues()).toEqual([{ key: 1, match: { start: [{ name: 'login', id: 1 }], middle: [{ name: 'error', id: 1 }], end: [{ name: 'critical', id: 1 }] } }]);
    // key 2's match needed 11.5 s: its partial matches time out instead
    expect(h.outValues('timeout').filter((t: any) => t.key === 2).map((t: any) => matchNames(t))).toEqual(expect.arrayContaining(['login error']));
  });

  it('Getting Started: start(id == 42), next middle(volume >= 10), followedBy end(name == "end")', () => {
    const p = { pattern: [{ name: 'start', where: 'id == 42' }, { name: 'middle', contiguity: 'strict', where: 'volume >= 10' }, { name: 'end', where: "name == 'end'" }] };
    const h = cepHarness(p);
    const recs = [{ id: 42, name: 'a' }, { id: 1, name: 'sub', volume: 12 }, { id: 2, name: 'x' }, { id: 3, name: 'end' }, { id: 42, name: 'b' }, { id: 5, name: 'x', volume: 1 }, { id: 6, name: 'end' }];
    h.push(recs.map((value, i) => ({ value, ts: i + 1 })));
    h.watermark(Infinity).end();
    expect(h.outValues()).toEqual([{ key: null, match: { start: [recs[0]], middle: [recs[1]], end: [recs[3]] } }]);
  });
});
