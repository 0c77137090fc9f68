// Decoding one segment of a JSON Lines file: the same rules as readJsonLines (files/readers.ts),
// line by line, whether it runs on the operator thread or in a decode worker. A segment starts at
// a line start and ends after a newline (or at the end of the file), so no UTF-8 sequence and no
// line is cut in two.
import { MAX_RECORD_NESTING, tooDeepAt } from '../../format/nesting.js';
import type { Chunk } from '../files/readers.js';

const DEEP = `nested more than ${MAX_RECORD_NESTING} levels deep; a record may nest at most that far (writing it as JSON would overflow the stack)`;

/** The records and bad lines of `bytes`, whose first line is line `firstLine` of the file. */
export function decodeJsonlSegment(bytes: Uint8Array, firstLine: number): Chunk {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const chunk: Chunk = { recs: [], lines: [], errors: [] };
  let line = firstLine - 1;
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    let end: number;
    if (nl < 0) {
      // The file's last line, without a newline: taken as it is (as readJsonLines takes its rest).
      nl = text.length;
      end = nl;
    } else end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    line++;
    const s = text.slice(start, end);
    start = nl + 1;
    if (s.trim() === '') continue;
    if (tooDeepAt(s, MAX_RECORD_NESTING) >= 0) {
      chunk.errors.push({ line, message: DEEP, text: s });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (err) {
      chunk.errors.push({ line, message: `malformed JSON: ${(err as Error).message}`, text: s });
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      chunk.errors.push({ line, message: 'expected a JSON object', text: s });
      continue;
    }
    chunk.recs.push(value);
    chunk.lines.push(line);
  }
  return chunk;
}
