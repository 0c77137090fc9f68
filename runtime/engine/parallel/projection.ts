// Which record fields a parallel node reads, known at plan time, so that only those cross threads
// (columns.ts): a window reads its aggregates' fields; a process node the fields its code reads
// through plain access (`event.x`: expr/event-fields.ts). A cep node runs conditions over the
// whole record, a process node whose code could see the record whole (passes it on, spreads it,
// reads `event[k]`) needs all of it, and a node whose `errors` port is connected (or a window's
// `late` port) hands whole records on: these get whole records. A file source feeding parallel
// nodes through a keyBy on a plain field can then have its decode workers keep just those fields
// (and the timestamp), so the job's thread never holds whole records at all.
import { codeFieldsRead, referencedFields } from '../../expr/index.js';
import type { Pipeline } from '../../format/validate.js';
import { projectable } from './columns.js';

type PNode = Pipeline['nodes'][number];

/** The top-level fields `node` reads from its input records, sorted; null for the whole record. */
export function fieldsRead(node: PNode, pipeline: Pipeline): string[] | null {
  if (node.type === 'process') return processFieldsRead(node, pipeline);
  if (node.type !== 'window') return null;
  if (pipeline.edges.some((e) => e.from === node.id && e.fromPort !== 'out')) return null;
  const p = node.params as { aggregates: Record<string, { fn: string; field?: string }> };
  const fields = new Set<string>();
  for (const a of Object.values(p.aggregates)) {
    // first / last / collect without a field keep the whole record.
    if (a.field === undefined) {
      if (a.fn === 'count') continue;
      return null;
    }
    fields.add(a.field.split('.')[0]!);
  }
  const out = [...fields].sort();
  return projectable(out) ? out : null;
}

/**
 * A process node's record is read only by `code`; `open` and `onTimer` share its `this`, where a
 * function they leave could reach the record through its caller, so they must pass the same
 * checks. Its `side` port carries what the code emits, but `errors` quotes the input record.
 */
function processFieldsRead(node: PNode, pipeline: Pipeline): string[] | null {
  if (pipeline.edges.some((e) => e.from === node.id && e.fromPort === 'errors')) return null;
  const p = node.params as { code: string; open?: string; onTimer?: string };
  const fields = codeFieldsRead(p.code);
  if (fields === null || [p.open, p.onTimer].some((body) => body !== undefined && codeFieldsRead(body) === null)) return null;
  return projectable(fields) ? fields : null;
}

/** A source whose decoding can keep only some fields (source.file reading JSON Lines). */
export interface ProjectableSource {
  /** Decode in `threads` workers keeping only `fields` (plus the source's own timestamp field): the fields kept, or null if it cannot. */
  projectDecode(fields: readonly string[], threads: number): readonly string[] | null;
}

export function isProjectableSource(op: unknown): op is ProjectableSource {
  return typeof (op as Partial<ProjectableSource>)?.projectDecode === 'function';
}

/**
 * The fields a source must keep when every record it emits goes through keyBy nodes keyed by a
 * plain field straight into parallel nodes that read known fields; null when anything else could
 * see its records. Its `errors` port may be connected: bad lines and records without a usable
 * timestamp go there whole (the decode workers keep them whole).
 */
export function sourceProjection(sourceId: string, pipeline: Pipeline, parallelFields: ReadonlyMap<string, readonly string[] | null>): string[] | null {
  const byId = new Map(pipeline.nodes.map((n) => [n.id, n]));
  const fields = new Set<string>();
  const outs = pipeline.edges.filter((e) => e.from === sourceId && e.fromPort === 'out');
  if (outs.length === 0) return null;
  for (const e of outs) {
    const kb = byId.get(e.to)!;
    if (kb.type !== 'keyBy') return null;
    const key = (kb.params as { key: string }).key.trim();
    if (!/^[A-Za-z_$][\w$]*$/.test(key) || referencedFields(key).join() !== key) return null;
    fields.add(key);
    const next = pipeline.edges.filter((x) => x.from === kb.id);
    if (next.length === 0 || next.some((x) => x.fromPort !== 'out')) return null;
    for (const x of next) {
      const f = parallelFields.get(x.to);
      if (f === undefined || f === null) return null;
      for (const name of f) fields.add(name);
    }
  }
  const out = [...fields].sort();
  return projectable(out) ? out : null;
}
