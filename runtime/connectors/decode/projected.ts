// A decoded segment keeping only some fields, as columns (engine/parallel/columns.ts), for a file
// source whose records only reach nodes that read those fields (engine/parallel/projection.ts).
// Structured clone of whole decoded records cost the operator thread about a third of parsing
// them; a few columns cost a fraction of that. A record whose timestamp field is unusable stays
// whole: it goes to the source's `errors` port as it was read.
import { type Columns, column, fromColumns } from '../../engine/parallel/columns.js';
import { MAX_RECORD_NESTING } from '../../format/nesting.js';
import { toTimestamp } from '../../nodes/source-file/timestamp.js';
import type { Chunk, LineError } from '../files/readers.js';
import { parseRecord } from './jsonl-segment.js';
import { MISSING, scanFields } from './scan.js';

export interface Projection {
  readonly fields: readonly string[];
  /** The source's event-time field, if any (among `fields`). */
  readonly ts: string | null;
}

export interface ProjectedChunk {
  readonly cols: Columns;
  /** Positions (in the chunk's record order) of records kept whole, and those records. */
  readonly wholeAt: number[];
  readonly whole: unknown[];
  readonly lines: Float64Array;
  readonly errors: LineError[];
}

/**
 * A JSON Lines segment decoded keeping only `p.fields`: lines are scanned, not parsed (scan.ts),
 * and bad lines get exactly the errors decodeJsonlSegment gives them.
 */
export function decodeProjected(bytes: Uint8Array, firstLine: number, p: Projection): ProjectedChunk {
  const fields = p.fields;
  const nf = fields.length;
  const keys = fields.map((f) => encoder.encode(f));
  const tsAt = p.ts === null ? -1 : fields.indexOf(p.ts);
  const cols: unknown[][] = fields.map(() => []);
  const lines: number[] = [];
  const wholeAt: number[] = [];
  const whole: unknown[] = [];
  const errors: LineError[] = [];
  const got: unknown[] = new Array(nf);
  let missing = false;
  let n = 0;
  let line = firstLine - 1;
  // The line rules of eachLine (jsonl-segment.ts), over bytes: a newline byte is always a newline.
  for (let start = 0; start < bytes.length; ) {
    let nl = bytes.indexOf(10, start);
    let end: number;
    if (nl < 0) {
      nl = bytes.length;
      end = nl;
    } else end = nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl;
    line++;
    const from = start;
    start = nl + 1;
    if (!scanFields(bytes, from, end, fields, keys, MAX_RECORD_NESTING, got)) {
      // Not a line the scanner takes (blank, malformed, too deep): decoded and parsed whole, for
      // JSON.parse's verdict and message.
      const s = decoder.decode(bytes.subarray(from, end));
      if (s.trim() === '') continue;
      const r = parseRecord(s);
      if (typeof r === 'string') {
        errors.push({ line, message: r, text: s });
        continue;
      }
      const rec = r.value as Record<string, unknown>;
      for (let j = 0; j < nf; j++) got[j] = Object.hasOwn(rec, fields[j]!) ? rec[fields[j]!] : MISSING;
    }
    if (tsAt >= 0 && !Number.isFinite(toTimestamp(got[tsAt] === MISSING ? undefined : got[tsAt]))) {
      // No usable timestamp: the record goes to the source's errors port as it was read.
      const r = parseRecord(decoder.decode(bytes.subarray(from, end))) as { value: object };
      wholeAt.push(n + wholeAt.length);
      whole.push(r.value);
      lines.push(line);
      continue;
    }
    for (let j = 0; j < nf; j++) {
      const v = got[j];
      if (v === MISSING) missing = true;
      cols[j]!.push(v);
    }
    lines.push(line);
    n++;
  }
  return { cols: { n, fields, cols: cols.map((v) => column(v, n, missing ? MISSING : null)) }, wholeAt, whole, lines: Float64Array.from(lines), errors };
}

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF, as Buffer's decoding (the whole-record path) does.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The chunk a projected one stands for: records holding the projected fields, whole ones in place. */
export function unproject(c: ProjectedChunk): Chunk {
  const kept = fromColumns(c.cols);
  if (c.wholeAt.length === 0) return { recs: kept, lines: c.lines as unknown as number[], errors: c.errors };
  const recs: unknown[] = new Array(kept.length + c.whole.length);
  let k = 0;
  let w = 0;
  for (let i = 0; i < recs.length; i++) recs[i] = w < c.wholeAt.length && c.wholeAt[w] === i ? c.whole[w++] : kept[k++];
  return { recs, lines: c.lines as unknown as number[], errors: c.errors };
}
