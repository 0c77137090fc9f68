// Validation of cep patterns with Flink's rules (Pattern, Quantifier, NFACompiler), reported by
// the pipeline validator with the node id, the JSON path of the value to change, and what to do.
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../runtime/format/problems.js';
import { validatePipeline } from '../../runtime/format/validate.js';

function problems(params: Record<string, unknown>): string[] {
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 't',
    nodes: [
      { id: 'gen', type: 'source.generator', params: { count: 10 } },
      { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'abandon', type: 'cep', params },
      { id: 'out', type: 'sink.console' },
    ],
    edges: [{ from: 'gen', to: 'byUser' }, { from: 'byUser', to: 'abandon' }, { from: 'abandon', to: 'out' }],
  };
  return validatePipeline(doc).problems.map(formatProblem);
}

const add = { name: 'add', where: "eventType == 'ADD_TO_CART'" };
const paid = { name: 'paid', where: "eventType == 'PURCHASE'", negated: true };
const view = { name: 'view', where: "eventType == 'VIEW'" };

describe('cep validation', () => {
  it('rejects the example pattern of the original format notes (oneOrMore().optional() then notFollowedBy), explaining why and how to rewrite it', () => {
    const seeds = {
      pattern: [
        { name: 'add', where: "eventType == 'ADD_TO_CART'" },
        { name: 'more', contiguity: 'relaxed', where: "eventType == 'ADD_TO_CART'", quantifier: { min: 1, max: null }, optional: true },
        { name: 'paid', contiguity: 'relaxed', negated: true, where: "eventType == 'PURCHASE'" },
      ],
      within: '15m',
      afterMatch: { strategy: 'noSkip' },
    };
    const [p, ...rest] = problems(seeds);
    expect(rest).toEqual([]);
    expect(p).toMatch(/^abandon \$\.nodes\[2\]\.params\.pattern\[2\]\.negated: /);
    expect(p).toContain("negated step 'paid' directly follows 'more', which may match no event (optional)");
    expect(p).toContain('Specifying a pattern with an optional path to NOT condition is not supported yet');
    expect(p).toContain("Rewrite: make 'more' required (remove optional), or remove 'more' so that 'paid' follows 'add' directly, or use two patterns");
    // ...and the rewrites it suggests are valid.
    const [first, more, negated] = seeds.pattern;
    expect(problems({ ...seeds, pattern: [first, { ...more, optional: false }, negated] })).toEqual([]);
    expect(problems({ ...seeds, pattern: [first, negated] })).toEqual([]);
  });

  it('a negated step after a times(0, n) step is rejected the same way', () => {
    expect(problems({ pattern: [view, { ...add, quantifier: { min: 0, max: 2 } }, paid, view] })[0]).toMatch(/pattern\[2\]\.negated: .*quantifier min 0/);
  });

  it('a pattern ending in notFollowedBy needs within', () => {
    expect(problems({ pattern: [add, paid] })).toEqual([
      "abandon $.nodes[2].params.within: the pattern ends with negated step 'paid' (notFollowedBy), so it needs within: the match is emitted once within has passed without a 'paid' event, and without within that moment never comes (Flink: \"NotFollowedBy is not supported without windowTime as a last part of a Pattern\")",
    ]);
    expect(problems({ pattern: [add, paid], within: '15m' })).toEqual([]);
    // notNext at the end needs no window: the very next event decides.
    expect(problems({ pattern: [add, { ...paid, contiguity: 'strict' }] })).toEqual([]);
  });

  it('until needs a looping step', () => {
    expect(problems({ pattern: [{ ...add, until: "eventType == 'PURCHASE'" }] })).toEqual([
      "abandon $.nodes[2].params.pattern[0].until: until applies only to a looping step, one with quantifier max null (oneOrMore, timesOrMore); 'add' has no quantifier (Flink: \"The until condition is only applicable to looping states\")",
    ]);
    expect(problems({ pattern: [{ ...add, quantifier: { min: 1, max: 3 }, until: 'true' }] })[0]).toMatch(/'add' stops at 3 events anyway/);
    expect(problems({ pattern: [{ ...add, quantifier: { min: 1, max: null }, until: 'true' }] })).toEqual([]);
  });

  it('greedy needs a quantifier, and not inner any', () => {
    expect(problems({ pattern: [{ ...add, greedy: true }, view] })[0]).toMatch(/pattern\[0\]\.greedy: greedy applies only to a step with a quantifier .*"Option not applicable to singleton quantifier"/);
    expect(problems({ pattern: [{ ...add, greedy: true, quantifier: { min: 1, max: null, inner: 'any' } }, view] })[0]).toMatch(/greedy cannot be combined with inner contiguity 'any'/);
    // Flink accepts greedy on a times range.
    expect(problems({ pattern: [{ ...add, greedy: true, quantifier: { min: 2, max: 4 } }, view] })).toEqual([]);
  });

  it('a negated first step is rejected', () => {
    expect(problems({ pattern: [paid, add] })).toEqual([
      "abandon $.nodes[2].params.pattern[0].negated: the first step cannot be negated: a pattern starts from an event that happened (Flink has no notNext/notFollowedBy before begin). Put the event the absence is measured from first, then 'paid' as a negated step",
    ]);
  });

  it('duplicate step names are rejected', () => {
    expect(problems({ pattern: [add, { ...view, name: 'add' }] })).toEqual([
      "abandon $.nodes[2].params.pattern[1].name: duplicate step name 'add' (also step 0); step names key the match, so they must be unique (Flink: \"Duplicate pattern name\")",
    ]);
  });

  it('a negated step takes no quantifier, optional, greedy or until, and has no "any" form', () => {
    const lines = problems({ pattern: [add, { ...paid, contiguity: 'any', quantifier: { min: 1, max: null }, optional: true, greedy: true, until: 'true' }, view] });
    expect(lines.map((l) => l.split(':')[0])).toEqual([
      'abandon $.nodes[2].params.pattern[1].contiguity',
      'abandon $.nodes[2].params.pattern[1].quantifier',
      'abandon $.nodes[2].params.pattern[1].optional',
      'abandon $.nodes[2].params.pattern[1].greedy',
      'abandon $.nodes[2].params.pattern[1].until',
    ]);
    expect(lines[1]).toContain('Option not applicable to NOT pattern');
  });

  it('an optional step cannot follow a greedy one', () => {
    expect(problems({ pattern: [{ ...add, quantifier: { min: 1, max: null }, greedy: true }, { ...view, optional: true }] })[0]).toMatch(
      /pattern\[1\]\.optional: 'view' is optional but follows greedy step 'add' \(Flink: "Optional pattern cannot be preceded by greedy pattern"\)/,
    );
  });

  it('an optional greedy step with until cannot follow notFollowedBy: Flink compiles it into an NFA that fails at run time', () => {
    // Flink 1.20 runs a, notFollowedBy(p), v+ optional greedy until(c), e into a NullPointerException
    // on "a1 c1 e1"; the runtime used to refuse it only when the job started, naming neither node nor path.
    const views = { ...view, quantifier: { min: 1, max: null }, optional: true, greedy: true, until: "eventType == 'CHECKOUT'" };
    const end = { name: 'end', where: "eventType == 'REMOVE'" };
    expect(problems({ pattern: [add, paid, views, end] })).toEqual([
      "abandon $.nodes[2].params.pattern[2].greedy: 'view' is optional, greedy and has until after notFollowedBy step 'paid': Flink compiles this pattern into an NFA that fails at run time (a transition to no state, taken when an event meets until). Drop greedy, until or optional on 'view'",
    ]);
    // ...also over optional steps in between, and each way out it names is valid.
    expect(problems({ pattern: [add, paid, { ...end, name: 'maybe', optional: true }, views, end] })[0]).toMatch(/pattern\[3\]\.greedy: 'view' is optional, greedy and has until after notFollowedBy step 'paid'/);
    for (const fix of [{ greedy: false }, { until: undefined }, { optional: false }]) expect(problems({ pattern: [add, paid, { ...views, ...fix }, end] })).toEqual([]);
    // notNext is a state of its own, not skipped over: no problem there.
    expect(problems({ pattern: [add, { ...paid, contiguity: 'strict' }, views, end] })).toEqual([]);
  });

  it('quantifier bounds', () => {
    expect(problems({ pattern: [{ ...add, quantifier: { min: 3, max: 2 } }] })[0]).toMatch(/quantifier\.max: max \(2\) must be at least 3/);
    expect(problems({ pattern: [{ ...add, quantifier: { min: 0, max: null } }] })[0]).toMatch(/quantifier\.min: "zero or more" is \{min: 1, max: null\} with optional: true/);
    expect(problems({ pattern: [{ ...add, quantifier: { min: 0, max: 2 }, optional: true }] })[0]).toMatch(/optional: min 0 already makes 'add' optional/);
    expect(problems({ pattern: [{ ...add, quantifier: { min: -1, max: 2 } }] })[0]).toMatch(/quantifier\.min/);
  });

  it('skip strategies that name a step need an existing one; the others take none', () => {
    expect(problems({ pattern: [add, view], afterMatch: { strategy: 'skipToFirst' } })[0]).toMatch(/afterMatch\.step: skipToFirst needs the step to skip to/);
    expect(problems({ pattern: [add, view], afterMatch: { strategy: 'skipToLast', step: 'vue' } })[0]).toMatch(/afterMatch\.step: no step 'vue' in the pattern \(steps: add, view\)/);
    expect(problems({ pattern: [add, view], afterMatch: { strategy: 'noSkip', step: 'add' } })[0]).toMatch(/only skipToFirst and skipToLast take a step/);
    expect(problems({ pattern: [add, view], afterMatch: { strategy: 'skipToLast', step: 'add' } })).toEqual([]);
  });

  it('checks expressions, names, within and select where they are', () => {
    expect(problems({ pattern: [{ name: 'a b', where: 'x ==' }] })).toEqual([
      'abandon $.nodes[2].params.pattern[0].name: step names are identifiers (letters, digits, _), so that select can read match.<name>',
      expect.stringMatching(/^abandon \$\.nodes\[2\]\.params\.pattern\[0\]\.where: /),
    ]);
    expect(problems({ pattern: [add], within: 0 })).toEqual(['abandon $.nodes[2].params.within: within must be longer than 0']);
    expect(problems({ pattern: [add], select: 'event.x' })[0]).toMatch(/params\.select: .*event/);
    expect(problems({ pattern: [] })).toEqual(['abandon $.nodes[2].params.pattern: a pattern needs at least one step']);
  });
});
