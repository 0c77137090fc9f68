// Validator problems as the editor places them: on a node, on a field of its form, or on the
// pipeline as a whole.
import type { Problem } from '../../../runtime/format/problems.js';
import type { Doc } from './doc.js';

export interface PlacedProblem extends Problem {
  /** Path inside the node's params (['assigner', 'size']), or null when not about a param. */
  readonly param: readonly (string | number)[] | null;
  /** Edge index when the problem is about an edge. */
  readonly edge: number | null;
}

/** JSONPath segments: `$.nodes[2].params["a b"].x` → ['nodes', 2, 'params', 'a b', 'x']. */
export function parseJsonPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3]!) as string);
  }
  return out;
}

export function placeProblems(doc: Doc, problems: readonly Problem[]): PlacedProblem[] {
  return problems.map((p) => {
    const seg = parseJsonPath(p.path);
    let nodeId = p.nodeId;
    let param: (string | number)[] | null = null;
    let edge: number | null = null;
    if (seg[0] === 'nodes' && typeof seg[1] === 'number') {
      nodeId ??= doc.nodes[seg[1]]?.id ?? null;
      if (seg[2] === 'params') param = seg.slice(3);
      else if (seg.length > 2) param = [String(seg[2])];
    }
    if (seg[0] === 'edges' && typeof seg[1] === 'number') edge = seg[1];
    return { ...p, nodeId, param, edge };
  });
}

/** A problem as a form shows it: warnings say so (and Monaco marks them as warnings, not errors). */
export function problemText(p: { readonly message: string; readonly severity?: 'warning' }): string {
  return p.severity === 'warning' ? `${WARNING_PREFIX}${p.message}` : p.message;
}

export const WARNING_PREFIX = 'warning: ';

export function isWarningText(m: string): boolean {
  return m.startsWith(WARNING_PREFIX);
}

export function paramKey(path: readonly (string | number)[]): string {
  return path.join('.');
}
