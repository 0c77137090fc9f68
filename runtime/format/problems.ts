// A validation problem names the node (or null for the envelope) and the JSON path of the value.

export interface Problem {
  readonly nodeId: string | null;
  /** JSONPath of the offending value, e.g. `$.nodes[2].params.condition`. */
  readonly path: string;
  readonly message: string;
  /** Unset: an error (the pipeline cannot run). `warning`: worth a look, but it runs. */
  readonly severity?: 'warning';
}

/** The CLI's one-line form: `<node id> <json path>: <message>` (`-` when no node applies). */
export function formatProblem(p: Problem): string {
  return `${p.nodeId ?? '-'} ${p.path}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function jsonPath(base: string, segments: readonly PropertyKey[]): string {
  let out = base;
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string' && IDENT.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(String(s))}]`;
  }
  return out;
}

/** Closest candidate by edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
