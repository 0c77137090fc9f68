// Decoding one segment of a JSON Lines file: the same rules as readJsonLines (files/readers.ts),
// line by line, whether it runs on the operator thread or in a decode worker. A segment starts at
// a line start and ends after a newline (or at the end of the file), so no UTF-8 sequence and no
// line is cut in two.
import { MAX_RECORD_NESTING, tooDeepAt } from '../../format/nesting.js';
import type { Chunk } from '../files/readers.js';

const DEEP = `nested more than ${MAX_RECORD_NESTING} levels deep; a record may nest at most that far (writing it as JSON would overflow the stack)`;

/** The records and bad lines of `bytes`, whose first line is line `firstLine` of the file. */
export function decodeJsonlSegment(bytes: Uint8Array, firstLine: number): Chunk {
  const chunk: Chunk = { recs: [], lines: [], errors: [] };
  eachLine(bytes, firstLine, (s, line) => {
    const r = parseRecord(s);
    if (typeof r === 'string') chunk.errors.push({ line, message: r, text: s });
    else {
      chunk.recs.push(r.value);
      chunk.lines.push(line);
    }
  });
  return chunk;
}

/** One line's record, or why it is not one (the message a bad line goes to `errors` with). */
export function parseRecord(s: string): { value: object } | string {
  if (tooDeepAt(s, MAX_RECORD_NESTING) >= 0) return DEEP;
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch (err) {
    return `malformed JSON: ${(err as Error).message}`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object';
  return { value };
}

/**
 * Calls `line(text, number)` for each line of `bytes` that is not blank, in order; the same line
 * rules whether records are parsed whole or scanned for some fields (projected.ts).
 */
export function eachLine(bytes: Uint8Array, firstLine: number, line: (s: string, n: number) => void): void {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let n = firstLine - 1;
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    let end: number;
    if (nl < 0) {
      // The file's last line, without a newline: taken as it is (as readJsonLines takes its rest).
      nl = text.length;
      end = nl;
    } else end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    n++;
    const s = text.slice(start, end);
    start = nl + 1;
    if (s.trim() === '') continue;
    line(s, n);
  }
}
