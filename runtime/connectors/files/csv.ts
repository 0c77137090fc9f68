// CSV records with per-line recovery. csv-parse (used before) stops trusting its position after a
// quoting error: it skipped the valid rows that followed, blamed a later valid row, and lost the raw
// text. This parser works on whole lines so every line is accounted for:
//
// - RFC 4180 quoting: a field may be quoted, `""` inside quotes is a quote, and a quoted field may
//   span lines, but only if it closes within MAX_SPAN_LINES lines (and MAX_SPAN_CHARS characters).
// - A record that cannot be read (text after a closing quote, a quote inside an unquoted field, a
//   quoted field that does not close in time, the wrong number of fields) is one error carrying the
//   line it started on and that line's raw text; reading resumes at the next line. So an unclosed
//   quote costs one line, never the valid rows after it, and the span bound keeps the retry cost
//   per line bounded.
// - Blank lines are skipped (not a line of delimiters, nor in a one-column file, where a blank line
//   is an empty value); a UTF-8 BOM at the start is dropped. Values keep what was written: CRLF
//   inside quotes, text for numbers beyond a double.

// The pipeline-format docs (runtime/format/docs.ts) state this figure; keep them in step.
export const MAX_SPAN_LINES = 100;
export const MAX_SPAN_CHARS = 1 << 20;

const QUOTE = 34;

export type RecordResult =
  | { readonly fields: string[]; readonly next: number }
  | { readonly error: string }
  | null;

/**
 * Parse the record that starts at `lines[at]`. `next` is the index of the line after it; null
 * means the record runs past the lines available and more input may complete it. Lines keep the
 * CR of a CRLF ending: it ends the record outside quotes, but inside a quoted field the line
 * break is part of the value as written (RFC 4180, and csv-parse before), so it stays "\r\n".
 */
export function parseRecord(lines: readonly string[], at: number, delimiter: string, eof: boolean): RecordResult {
  const fields: string[] = [];
  let li = at;
  let s = lines[li]!;
  let len = contentLength(s);
  let i = 0;
  for (;;) {
    const n = fields.length + 1;
    if (s.charCodeAt(i) === QUOTE) {
      const col = i + 1;
      let value = '';
      let j = i + 1;
      let span = 0;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q < 0) {
          value += `${s.slice(j)}\n`;
          span += s.length + 1;
          li++;
          if (li - at >= MAX_SPAN_LINES || span > MAX_SPAN_CHARS) {
            return { error: `quoted field ${n} (column ${col}) does not close within ${MAX_SPAN_LINES} lines` };
          }
          if (li >= lines.length) return eof ? { error: `quoted field ${n} (column ${col}) is never closed` } : null;
          s = lines[li]!;
          len = contentLength(s);
          j = 0;
          continue;
        }
        value += s.slice(j, q);
        if (s.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === len) return { fields, next: li + 1 };
      if (s.startsWith(delimiter, i)) {
        i += delimiter.length;
        continue;
      }
      return { error: `unexpected text after the closing quote of field ${n}${li > at ? ` (on line +${li - at})` : ''} at column ${i + 1}: ${JSON.stringify(s.slice(i, i + 20))}; a quote inside a quoted field is written ""` };
    }
    const found = s.indexOf(delimiter, i);
    const end = found >= len ? -1 : found;
    const raw = end < 0 ? s.slice(i, len) : s.slice(i, end);
    const quote = raw.indexOf('"');
    if (quote >= 0) return { error: `quote inside unquoted field ${n} at column ${i + quote + 1}: quote the whole field and write the quote as ""` };
    fields.push(raw);
    if (end < 0) return { fields, next: li + 1 };
    i = end + delimiter.length;
  }
}

/** A line's length without the CR of a CRLF ending. */
export function contentLength(s: string): number {
  return s.charCodeAt(s.length - 1) === 13 ? s.length - 1 : s.length;
}

const NUMBER = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/**
 * A value that reads as a decimal number becomes that number. One beyond a double's range
 * (`1e400`, a part number like `12E345`) stays text, as with csv-parse before: as Infinity it
 * would be written as JSON null, silently losing the value.
 */
export function castValue(v: string): string | number {
  const c = v.charCodeAt(0);
  // Quick reject: numbers start with a digit, sign, dot or whitespace (any whitespace, as
  // csv-parse did: a quoted "\t-2" or "\n7" was a number, so it stays one).
  if ((c > 57 && c < 160) || (c > 32 && c < 43) || c === 44 || c === 47) return v;
  if (!NUMBER.test(v)) return v;
  const n = Number(v);
  return Number.isFinite(n) ? n : v;
}

/** The header's field names; a repeated name is refused (a record could not hold both values). */
export function headerNames(fields: readonly string[]): string[] {
  const seen = new Map<string, number>();
  fields.forEach((f, i) => {
    const before = seen.get(f);
    if (before !== undefined) throw new Error(`duplicate column ${JSON.stringify(f)} in the CSV header (columns ${before + 1} and ${i + 1}): a record holds one value per name; rename one of them`);
    seen.set(f, i);
  });
  return [...fields];
}
