// The rules Flink's Pattern API and NFACompiler enforce on a pattern, checked before anything runs
// and explained in the user's terms (step names, what to write instead). Isomorphic: the editor
// runs the same checks as the validator.

export type Contiguity = 'strict' | 'relaxed' | 'any';

export interface StepParams {
  readonly name: string;
  readonly where: string;
  readonly contiguity: Contiguity;
  readonly negated: boolean;
  readonly quantifier?: { readonly min: number; readonly max: number | null; readonly inner: Contiguity };
  readonly optional: boolean;
  readonly greedy: boolean;
  readonly until?: string;
}

export interface PatternParams {
  readonly pattern: readonly StepParams[];
  readonly within?: number | string;
  readonly afterMatch: { readonly strategy: string; readonly step?: string };
}

export interface RuleProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** A step that may match no event at all: `optional`, or a `times(0, n)` quantifier. */
export function mayBeSkipped(s: StepParams): boolean {
  return s.optional || s.quantifier?.min === 0;
}

/** Flink's LOOPING quantifier: oneOrMore / timesOrMore (no upper bound). */
export function isLooping(s: StepParams): boolean {
  return s.quantifier !== undefined && s.quantifier.max === null;
}

const NOT_OPTIONS = ['quantifier', 'optional', 'greedy', 'until'] as const;

/** Every rule the pattern breaks, each at the JSON path of the value to change. */
export function patternProblems(p: PatternParams, withinMs: number | null): RuleProblem[] {
  const out: RuleProblem[] = [];
  const steps = p.pattern;
  const add = (path: (string | number)[], message: string) => out.push({ path, message });
  const seen = new Map<string, number>();

  steps.forEach((s, i) => {
    const at = (...rest: (string | number)[]) => ['pattern', i, ...rest];
    const prev = i > 0 ? steps[i - 1]! : null;
    const first = seen.get(s.name);
    if (first !== undefined) add(at('name'), `duplicate step name '${s.name}' (also step ${first}); step names key the match, so they must be unique (Flink: "Duplicate pattern name")`);
    else seen.set(s.name, i);

    if (s.negated) {
      if (i === 0) add(at('negated'), `the first step cannot be negated: a pattern starts from an event that happened (Flink has no notNext/notFollowedBy before begin). Put the event the absence is measured from first, then '${s.name}' as a negated step`);
      if (s.contiguity === 'any') add(at('contiguity'), `a negated step is notNext (contiguity 'strict') or notFollowedBy ('relaxed'); 'any' has no negated form in Flink`);
      for (const opt of NOT_OPTIONS) {
        const set = opt === 'quantifier' || opt === 'until' ? s[opt] !== undefined : s[opt];
        if (set) add(at(opt), `negated step '${s.name}' cannot have ${opt === 'quantifier' ? 'a quantifier' : `'${opt}'`}: it matches the absence of one event (Flink: "Option not applicable to NOT pattern")`);
      }
      if (prev !== null && !prev.negated && mayBeSkipped(prev)) {
        add(at('negated'), notAfterOptional(s, prev, i > 1 ? steps[i - 2]! : null));
      }
    }

    const q = s.quantifier;
    if (q !== undefined) {
      if (q.max !== null && q.max < Math.max(q.min, 1)) add(at('quantifier', 'max'), `max (${q.max}) must be at least ${Math.max(q.min, 1)}: a step matches between min and max events`);
      if (q.min === 0 && q.max === null) add(at('quantifier', 'min'), `"zero or more" is {min: 1, max: null} with optional: true (Flink: oneOrMore().optional()); timesOrMore needs at least 1`);
      if (q.min === 0 && q.max !== null && s.optional) add(at('optional'), `min 0 already makes '${s.name}' optional (Flink's times(0, n) is times(1, n).optional()); remove optional`);
    }
    if (s.until !== undefined && !s.negated && !isLooping(s)) {
      add(at('until'), `until applies only to a looping step, one with quantifier max null (oneOrMore, timesOrMore); '${s.name}' ${q === undefined ? 'has no quantifier' : `stops at ${q.max} events anyway`} (Flink: "The until condition is only applicable to looping states")`);
    }
    if (s.greedy && !s.negated) {
      if (q === undefined) add(at('greedy'), `greedy applies only to a step with a quantifier (times, a times range, timesOrMore, oneOrMore): a single event cannot repeat (Flink: "Option not applicable to singleton quantifier")`);
      else if (q.inner === 'any') add(at('greedy'), `greedy cannot be combined with inner contiguity 'any': allowCombinations keeps every combination, greedy keeps only the longest (Flink: "Option not applicable to FollowedByAny pattern")`);
      const skippedNot = s.until !== undefined && isLooping(s) && mayBeSkipped(s) ? notSkippedOver(steps, i) : null;
      if (skippedNot !== null) {
        // NFACompiler copies the successors of an optional step that skips a NOT
        // (copyWithoutTransitiveNots), then looks the greedy until branch up under the original's
        // name: it finds no state, and the job fails (NullPointerException) on the first event
        // that meets until where the step could be skipped.
        add(at('greedy'), `'${s.name}' is optional, greedy and has until after notFollowedBy step '${skippedNot.name}': Flink compiles this pattern into an NFA that fails at run time (a transition to no state, taken when an event meets until). Drop greedy, until or optional on '${s.name}'`);
      }
    }
    // Only optional() checks this in Flink; times(0, n) makes a step optional without the check.
    if (s.optional && prev !== null && prev.greedy && !s.negated) {
      add(at('optional'), `'${s.name}' is optional but follows greedy step '${prev.name}' (Flink: "Optional pattern cannot be preceded by greedy pattern"); drop greedy on '${prev.name}' or make '${s.name}' required`);
    }
  });

  const last = steps[steps.length - 1];
  if (last !== undefined && last.negated && last.contiguity === 'relaxed' && withinMs === null && steps.length > 1) {
    add(['within'], `the pattern ends with negated step '${last.name}' (notFollowedBy), so it needs within: the match is emitted once within has passed without a '${last.name}' event, and without within that moment never comes (Flink: "NotFollowedBy is not supported without windowTime as a last part of a Pattern")`);
  }
  if (withinMs !== null && withinMs <= 0) add(['within'], 'within must be longer than 0');

  const { strategy, step } = p.afterMatch;
  if (strategy === 'skipToFirst' || strategy === 'skipToLast') {
    if (step === undefined) add(['afterMatch', 'step'], `${strategy} needs the step to skip to`);
    else if (!seen.has(step)) add(['afterMatch', 'step'], `no step '${step}' in the pattern (steps: ${steps.map((s) => s.name).join(', ')})`);
  } else if (step !== undefined) {
    add(['afterMatch', 'step'], `only skipToFirst and skipToLast take a step; ${strategy} applies to the whole match`);
  }
  return out;
}

/** The notFollowedBy step that step `i` follows over optional steps only, if any (NFACompiler.getCurrentNotCondition). */
function notSkippedOver(steps: readonly StepParams[], i: number): StepParams | null {
  for (let j = i - 1; j >= 0; j--) {
    const s = steps[j]!;
    if (s.negated && s.contiguity === 'relaxed') return s;
    if (!mayBeSkipped(s)) return null;
  }
  return null;
}

function notAfterOptional(s: StepParams, prev: StepParams, before: StepParams | null): string {
  const options = [
    `make '${prev.name}' required (remove ${prev.optional ? 'optional' : 'min 0'})`,
    ...(before !== null && !before.negated ? [`remove '${prev.name}' so that '${s.name}' follows '${before.name}' directly`] : []),
    `use two patterns, one with and one without '${prev.name}'`,
  ];
  return (
    `negated step '${s.name}' directly follows '${prev.name}', which may match no event (${prev.optional ? 'optional' : 'quantifier min 0'}). ` +
    `Flink rejects a NOT step right after an optional one ("Specifying a pattern with an optional path to NOT condition is not supported yet"): ` +
    `the absence of '${s.name}' would be measured from a different event depending on whether '${prev.name}' occurred. ` +
    `Rewrite: ${options.join(', or ')}`
  );
}
