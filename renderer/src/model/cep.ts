// The CEP step editor's vocabulary: the `cep` node's pattern steps (pipeline-format.md, "cep") as
// Flink's Pattern API names them, and the quantifier presets the editor offers. Pure functions.

export type Contiguity = 'strict' | 'relaxed' | 'any';

export interface Quantifier {
  readonly min: number;
  readonly max: number | null;
  readonly inner?: Contiguity;
}

export interface CepStep {
  readonly name: string;
  readonly where?: string;
  readonly contiguity?: Contiguity;
  readonly negated?: boolean;
  readonly quantifier?: Quantifier;
  readonly optional?: boolean;
  readonly greedy?: boolean;
  readonly until?: string;
}

export const CONTIGUITIES: readonly Contiguity[] = ['strict', 'relaxed', 'any'];

/** The Pattern API call that joins a step to the previous one (Flink `Pattern.next` …). */
export function joinName(step: CepStep): string {
  const c = step.contiguity ?? 'relaxed';
  if (step.negated) return c === 'strict' ? 'notNext' : 'notFollowedBy';
  return c === 'strict' ? 'next' : c === 'any' ? 'followedByAny' : 'followedBy';
}

export type QuantifierPreset = 'once' | 'oneOrMore' | 'timesOrMore' | 'times' | 'timesRange';

export function presetOf(q: Quantifier | undefined): QuantifierPreset {
  if (!q || (q.min === 1 && q.max === 1)) return 'once';
  if (q.max === null) return q.min === 1 ? 'oneOrMore' : 'timesOrMore';
  return q.min === q.max ? 'times' : 'timesRange';
}

/** The quantifier a preset starts with (keeping what fits of the current one). */
export function quantifierFor(preset: QuantifierPreset, current: Quantifier | undefined): Quantifier | undefined {
  const inner = current?.inner ? { inner: current.inner } : {};
  switch (preset) {
    case 'once': return undefined;
    case 'oneOrMore': return { min: 1, max: null, ...inner };
    case 'timesOrMore': return { min: Math.max(2, current?.min ?? 2), max: null, ...inner };
    case 'times': return { min: Math.max(2, current?.min ?? 2), max: Math.max(2, current?.min ?? 2), ...inner };
    case 'timesRange': return { min: current?.min ?? 1, max: Math.max((current?.min ?? 1) + 1, current?.max ?? 3), ...inner };
  }
}

/** How the quantifier reads in Flink's API, e.g. `oneOrMore().consecutive()`. */
export function quantifierName(step: CepStep): string {
  const q = step.quantifier;
  const parts: string[] = [];
  const p = presetOf(q);
  if (p === 'oneOrMore') parts.push('oneOrMore()');
  else if (p === 'timesOrMore') parts.push(`timesOrMore(${q!.min})`);
  else if (p === 'times') parts.push(`times(${q!.min})`);
  else if (p === 'timesRange') parts.push(`times(${q!.min}, ${q!.max})`);
  if (q && p !== 'once') {
    if (q.inner === 'strict') parts.push('consecutive()');
    if (q.inner === 'any') parts.push('allowCombinations()');
  }
  if (step.optional) parts.push('optional()');
  if (step.greedy) parts.push('greedy()');
  return parts.join('.');
}

/** A fresh step name not yet used in the pattern. */
export function newStepName(steps: readonly CepStep[]): string {
  const names = new Set(steps.map((s) => s.name));
  for (let i = steps.length + 1; ; i++) if (!names.has(`step${i}`)) return `step${i}`;
}

export function addStep(steps: readonly CepStep[]): CepStep[] {
  const first = steps.length === 0;
  return [...steps, { name: newStepName(steps), where: 'true', ...(first ? {} : { contiguity: 'relaxed' as const }) }];
}

export function moveStep(steps: readonly CepStep[], i: number, by: -1 | 1): CepStep[] {
  const j = i + by;
  if (j < 0 || j >= steps.length) return [...steps];
  const out = [...steps];
  [out[i], out[j]] = [out[j]!, out[i]!];
  // The first step joins nothing: its contiguity would be meaningless.
  if (out[0]!.contiguity !== undefined) {
    const { contiguity: _c, ...rest } = out[0]!;
    out[0] = rest;
  }
  return out;
}

export function updateStep(steps: readonly CepStep[], i: number, patch: Partial<CepStep>): CepStep[] {
  return steps.map((s, k) => {
    if (k !== i) return s;
    const next: Record<string, unknown> = { ...s, ...patch };
    for (const key of Object.keys(next)) if (next[key] === undefined || next[key] === false) delete next[key];
    return next as unknown as CepStep;
  });
}
