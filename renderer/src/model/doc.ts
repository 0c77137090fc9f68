// The document the editor edits: the pipeline JSON itself (so saving is the format's own
// serializer and nothing is lost), with typed access to nodes and edges. Immutable: every edit
// returns a new document, which is what undo/redo and React's change detection rely on.
import { CURRENT_FORMAT } from '../../../runtime/format/envelope.js';
import type { PipelineDoc } from '../../../runtime/host/contract.js';

export interface DocNode {
  readonly id: string;
  readonly type: string;
  readonly label?: string;
  readonly position?: { readonly x: number; readonly y: number };
  readonly params?: Readonly<Record<string, unknown>>;
}

export interface DocEdge {
  readonly from: string;
  readonly fromPort?: string;
  readonly to: string;
  readonly toPort?: string;
}

export interface Doc extends PipelineDoc {
  readonly format: string;
  readonly name?: string;
  readonly nodes: readonly DocNode[];
  readonly edges: readonly DocEdge[];
}

export function emptyDoc(name = 'untitled'): Doc {
  return { format: CURRENT_FORMAT, name, nodes: [], edges: [] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A document from file text. Anything JSON-shaped opens, even when it does not validate (the
 * problems panel says what is wrong); only text that is not a JSON object is refused.
 */
export function parseDoc(text: string): { doc: Doc } | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { error: `not valid JSON: ${(err as Error).message}` };
  }
  if (!isObject(raw)) return { error: 'a pipeline must be a JSON object' };
  const nodes = Array.isArray(raw.nodes) ? raw.nodes.filter(isObject) : [];
  const edges = Array.isArray(raw.edges) ? raw.edges.filter(isObject) : [];
  return { doc: { ...raw, format: typeof raw.format === 'string' ? raw.format : CURRENT_FORMAT, nodes: nodes as unknown as DocNode[], edges: edges as unknown as DocEdge[] } };
}

export const portOf = {
  from: (e: DocEdge) => e.fromPort ?? 'out',
  to: (e: DocEdge) => e.toPort ?? 'in',
};

export function edgeId(e: DocEdge): string {
  return `${e.from}.${portOf.from(e)}->${e.to}.${portOf.to(e)}`;
}

export function nodeById(doc: Doc, id: string): DocNode | undefined {
  return doc.nodes.find((n) => n.id === id);
}

export function replaceNode(doc: Doc, id: string, fn: (n: DocNode) => DocNode): Doc {
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === id ? fn(n) : n)) };
}

/** A copy of `obj` with the value at `path` set (or removed, for undefined), creating objects on the way. */
export function setIn(obj: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const arr = Array.isArray(obj) ? [...obj] : [];
    const v = setIn(arr[head], rest, value);
    if (v === undefined && rest.length === 0) arr.splice(head, 1);
    else arr[head] = v;
    return arr;
  }
  const o: Record<string, unknown> = isObject(obj) ? { ...obj } : {};
  const v = setIn(o[head!], rest, value);
  if (v === undefined) delete o[head!];
  else o[head!] = v;
  return o;
}

export function getIn(obj: unknown, path: readonly (string | number)[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}
