// The visual CEP step editor: a pattern's steps as a row of cards joined by arrows that read as
// Flink's Pattern API (next, followedBy, notFollowedBy…), each with its contiguity, quantifier,
// negation and condition. The one hand-made editor: a list form would hide the sequence.
import { CodeField } from '../editor/CodeField.js';
import { addStep, type CepStep, CONTIGUITIES, type Contiguity, joinName, moveStep, presetOf, quantifierFor, quantifierName, type QuantifierPreset, updateStep } from '../model/cep.js';
import type { FieldInfo } from '../model/fields.js';

const PRESETS: readonly [QuantifierPreset, string][] = [
  ['once', 'once'],
  ['oneOrMore', 'one or more'],
  ['timesOrMore', 'n or more'],
  ['times', 'exactly n'],
  ['timesRange', 'n to m'],
];

export interface CepEditorProps {
  readonly nodeId: string;
  readonly steps: readonly CepStep[];
  readonly onChange: (steps: CepStep[]) => void;
  readonly fields: readonly FieldInfo[];
  readonly problems: ReadonlyMap<string, readonly string[]>;
}

export function CepEditor({ nodeId, steps, onChange, fields, problems }: CepEditorProps) {
  const set = (i: number, patch: Partial<CepStep>) => onChange(updateStep(steps, i, patch));
  const msgs = (i: number, key?: string) => problems.get(['pattern', i, ...(key ? [key] : [])].join('.')) ?? [];
  // Problems about a step other than its conditions (which show in their editors): name, negated…
  const stepProblems = (i: number) => [...problems].filter(([k]) => k === `pattern.${i}` || (k.startsWith(`pattern.${i}.`) && !/\.(where|until)$/.test(k))).flatMap(([, m]) => m);
  return (
    <div className="cep" data-testid="cep-editor">
      <div className="cep-row">
        {steps.map((s, i) => (
          <div className="cep-item" key={i}>
            {i > 0 && (
              <div className={`cep-join ${s.negated ? 'negated' : ''}`} title="how this step follows the previous one">
                .{joinName(s)}() →
              </div>
            )}
            <div className={`cep-step ${s.negated ? 'negated' : ''} ${stepProblems(i).length + msgs(i, 'where').length > 0 ? 'invalid' : ''}`} data-step={s.name}>
              <div className="cep-step-head">
                <input aria-label="step name" value={s.name} onChange={(e) => set(i, { name: e.target.value })} />
                <button type="button" title="move left" disabled={i === 0} onClick={() => onChange(moveStep(steps, i, -1))}>
                  ←
                </button>
                <button type="button" title="move right" disabled={i === steps.length - 1} onClick={() => onChange(moveStep(steps, i, 1))}>
                  →
                </button>
                <button type="button" title="remove step" onClick={() => onChange(steps.filter((_, k) => k !== i))}>
                  ×
                </button>
              </div>
              {i > 0 && (
                <label>
                  contiguity
                  <select aria-label="contiguity" value={s.contiguity ?? 'relaxed'} onChange={(e) => set(i, { contiguity: e.target.value as Contiguity })}>
                    {CONTIGUITIES.map((c) => (
                      <option key={c} value={c}>
                        {c}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              {i > 0 && (
                <label className="check">
                  <input type="checkbox" aria-label="negated" checked={s.negated === true} onChange={(e) => set(i, { negated: e.target.checked })} /> negated (must not happen)
                </label>
              )}
              {!s.negated && (
                <label>
                  quantifier
                  <select aria-label="quantifier" value={presetOf(s.quantifier)} onChange={(e) => set(i, { quantifier: quantifierFor(e.target.value as QuantifierPreset, s.quantifier) })}>
                    {PRESETS.map(([v, l]) => (
                      <option key={v} value={v}>
                        {l}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              {s.quantifier && !s.negated && (
                <div className="cep-quant">
                  <input aria-label="min" type="number" min={1} value={s.quantifier.min} onChange={(e) => set(i, { quantifier: { ...s.quantifier!, min: Math.max(1, Number(e.target.value)) } })} />
                  {presetOf(s.quantifier) === 'timesRange' && (
                    <input aria-label="max" type="number" min={s.quantifier.min} value={s.quantifier.max ?? ''} onChange={(e) => set(i, { quantifier: { ...s.quantifier!, max: Number(e.target.value) } })} />
                  )}
                  <select aria-label="inner contiguity" value={s.quantifier.inner ?? 'relaxed'} onChange={(e) => set(i, { quantifier: { ...s.quantifier!, inner: e.target.value as Contiguity } })}>
                    {CONTIGUITIES.map((c) => (
                      <option key={c} value={c}>
                        loop: {c}
                      </option>
                    ))}
                  </select>
                </div>
              )}
              {!s.negated && (
                <div className="cep-flags">
                  <label className="check">
                    <input type="checkbox" aria-label="optional" checked={s.optional === true} onChange={(e) => set(i, { optional: e.target.checked })} /> optional
                  </label>
                  {s.quantifier && (
                    <label className="check">
                      <input type="checkbox" aria-label="greedy" checked={s.greedy === true} onChange={(e) => set(i, { greedy: e.target.checked })} /> greedy
                    </label>
                  )}
                </div>
              )}
              <div className="cep-where">where</div>
              <CodeField id={`${nodeId}/pattern.${i}.where`} kind="expression" label={`${s.name} where`} value={s.where ?? ''} onChange={(v) => set(i, { where: v === '' ? undefined : v })} fields={fields} params={['event', 'match']} problems={msgs(i, 'where')} />
              {s.quantifier && s.quantifier.max === null && (
                <>
                  <div className="cep-where">until</div>
                  <CodeField id={`${nodeId}/pattern.${i}.until`} kind="expression" label={`${s.name} until`} value={s.until ?? ''} onChange={(v) => set(i, { until: v === '' ? undefined : v })} fields={fields} params={['event', 'match']} problems={msgs(i, 'until')} />
                </>
              )}
              <div className="cep-api">{quantifierName(s) || 'once'}</div>
              {stepProblems(i).map((m) => (
                <div className="field-problems" key={m}>
                  {m}
                </div>
              ))}
            </div>
          </div>
        ))}
        <button type="button" className="add cep-add" onClick={() => onChange(addStep(steps))}>
          + step
        </button>
      </div>
    </div>
  );
}
