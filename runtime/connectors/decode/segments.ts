// Cuts a JSON Lines file into segments of raw bytes, each holding exactly CHUNK non-blank lines
// (the last one fewer), so that decoding segment by segment gives the very chunks readJsonLines
// gives: the same records, the same errors, the same chunk count in a checkpoint. Only line ends
// and blankness are looked at here (cheap byte scans); parsing is left to whoever decodes a
// segment, on this thread or in a decode worker.
import { open } from 'node:fs/promises';

/** Non-blank lines per chunk: the readers' chunk size. */
export const CHUNK = 4096;
const READ = 1 << 20;

export interface Segment {
  /** A copy the segment owns (its buffer can be transferred to a worker). */
  readonly bytes: Uint8Array;
  /** Line number (1-based) of its first line. */
  readonly firstLine: number;
  /** Byte offset in the file just past it, and the lines up to there: where the next one starts. */
  readonly end: number;
  readonly endLine: number;
}

/** Where reading starts: the file's start, or a position a checkpoint recorded. */
export interface SegmentStart {
  readonly offset: number;
  /** Lines before `offset`. */
  readonly line: number;
}

/** Whether bytes [s, e) hold only whitespace as String.prototype.trim sees it. */
function blank(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const b = buf[i]!;
    if (b === 32 || (b >= 9 && b <= 13)) continue;
    // Non-ASCII: trim also strips Unicode spaces (U+00A0, U+FEFF, U+2028, ...); ask it.
    if (b >= 0x80) return buf.toString('utf8', s, e).trim() === '';
    return false;
  }
  return true;
}

/** One fresh buffer (transferable on its own, never a slice of a shared pool) holding `parts` in turn. */
function joined(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export async function* readJsonlSegments(path: string, from: SegmentStart = { offset: 0, line: 0 }): AsyncGenerator<Segment> {
  const fh = await open(path, 'r');
  try {
    let pos = from.offset;
    let line = from.line;
    // The segment in progress: whole lines already scanned, kept as slices of the blocks read (so a
    // segment of wide lines is copied once when it is cut, not again with every block).
    let parts: Uint8Array[] = [];
    let size = 0;
    // A line not yet ended, carried over to the next block (as readJsonLines carries its rest).
    let rest: Buffer = Buffer.alloc(0);
    let count = 0;
    let segLine = line + 1;
    let first = from.offset === 0;
    for (;;) {
      const block = Buffer.allocUnsafe(READ);
      const { bytesRead } = await fh.read(block, 0, READ, pos);
      const eof = bytesRead === 0;
      let data: Buffer = rest;
      // File offset of data[0].
      let dataStart = pos - rest.length;
      if (!eof) {
        pos += bytesRead;
        let read = block.subarray(0, bytesRead);
        // A UTF-8 byte order mark (some editors write one) is not part of the first record.
        if (first && read.length >= 3 && read[0] === 0xef && read[1] === 0xbb && read[2] === 0xbf) {
          read = read.subarray(3);
          dataStart += 3;
        }
        first = false;
        data = rest.length === 0 ? read : Buffer.concat([rest, read]);
      }
      let cut = 0; // start of this block's share of the segment in progress, in data
      let scan = 0;
      for (;;) {
        let nl = data.indexOf(10, scan);
        if (nl < 0) {
          if (!eof || scan >= data.length) break;
          nl = data.length; // the last line, without a newline
        }
        line++;
        if (!blank(data, scan, nl)) count++;
        scan = Math.min(nl + 1, data.length);
        if (count === CHUNK) {
          parts.push(data.subarray(cut, scan));
          yield { bytes: joined(parts, size + scan - cut), firstLine: segLine, end: dataStart + scan, endLine: line };
          parts = [];
          size = 0;
          cut = scan;
          count = 0;
          segLine = line + 1;
        }
      }
      if (eof) {
        if (count > 0) {
          parts.push(data.subarray(cut, scan));
          yield { bytes: joined(parts, size + scan - cut), firstLine: segLine, end: dataStart + scan, endLine: line };
        }
        return;
      }
      if (scan > cut) {
        parts.push(data.subarray(cut, scan));
        size += scan - cut;
      }
      rest = data.subarray(scan);
    }
  } finally {
    await fh.close();
  }
}
