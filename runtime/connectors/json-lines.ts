// JSON Lines output shared by the file and console sinks.

/** A record that JSON cannot write: its index in the batch and why. */
export interface Unwritable {
  readonly index: number;
  readonly error: string;
}

/**
 * One JSON object a line. A record JSON cannot represent (a cycle, a BigInt, nesting deep enough
 * to overflow the stack, a toJSON that throws) is left out and reported in `failed`: the sink
 * sends it to its `errors` port, and never writes a substitute in its place.
 */
export function jsonLines(recs: readonly unknown[], failed: Unwritable[]): string {
  let s = '';
  for (let i = 0; i < recs.length; i++) {
    let line: string | undefined;
    try {
      line = JSON.stringify(recs[i]);
    } catch (err) {
      failed.push({ index: i, error: unwritableReason(err) });
      continue;
    }
    s += (line ?? 'null') + '\n';
  }
  return s;
}

export function unwritableReason(err: unknown): string {
  if (err instanceof RangeError && /call stack/i.test(err.message)) return 'cannot write the record as JSON: it is nested too deeply';
  return `cannot write the record as JSON: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * A record as text for an `errors` record or a message, for a record that JSON cannot write:
 * at most `max` characters, `…` below `depth` levels, so it is always printable.
 */
export function unwritablePreview(rec: unknown, max = 200, depth = 8): string {
  let out = '';
  const put = (s: string) => {
    out += s;
    return out.length < max;
  };
  const walk = (v: unknown, d: number): boolean => {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'bigint') return put(`${v}n`);
      if (typeof v === 'string') return put(JSON.stringify(v.length > max ? v.slice(0, max) : v));
      return put(String(v));
    }
    if (d >= depth) return put('…');
    const arr = Array.isArray(v);
    if (!put(arr ? '[' : '{')) return false;
    let first = true;
    for (const k of Object.keys(v)) {
      if (!first && !put(',')) return false;
      first = false;
      if (!arr && !put(`${JSON.stringify(k)}:`)) return false;
      if (!walk((v as Record<string, unknown>)[k], d + 1)) return false;
    }
    return put(arr ? ']' : '}');
  };
  walk(rec, 0);
  return out.length > max ? `${out.slice(0, max)}…` : out;
}
