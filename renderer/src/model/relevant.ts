// Which params a form shows: one that cannot apply given the others is left out, unless it is set
// (a wrong value stays in view, beside the problem the validator reports on it).
//   - A window aggregate's `k` only for topK / approxTopK, `precision` only for approxCountDistinct.
//   - Nodes that take either an expression or code (exactly one, runtime/nodes/one-of.ts): only
//     the one in use; the other is offered by a switch.
type Path = readonly (string | number)[];

/** Node type → [expression param, code param] of its "either … or code" pair. */
export const EITHER_OR: Readonly<Record<string, readonly [string, string]>> = { filter: ['condition', 'code'], map: ['expression', 'code'] };

/** What a switch sets: code equivalent to keeping every record / passing it on unchanged. */
export const CODE_STARTER: Readonly<Record<string, string>> = { filter: 'return true;', map: 'return event;' };

const K_FNS = new Set(['topK', 'approxTopK']);

/** The fields of the object at `path` (in a node of `type`) the form leaves out. */
export function hiddenFields(type: string, path: Path, value: Readonly<Record<string, unknown>>): ReadonlySet<string> {
  const hidden = new Set<string>();
  const unset = (k: string) => value[k] === undefined;
  if (type === 'window' && path.length === 2 && path[0] === 'aggregates') {
    const fn = typeof value.fn === 'string' ? value.fn : '';
    if (!K_FNS.has(fn) && unset('k')) hidden.add('k');
    if (fn !== 'approxCountDistinct' && unset('precision')) hidden.add('precision');
  }
  const pair = EITHER_OR[type];
  if (pair && path.length === 0) {
    const [expr, code] = pair;
    if (!unset(code) && unset(expr)) hidden.add(expr);
    else if (unset(code)) hidden.add(code);
  }
  return hidden;
}
