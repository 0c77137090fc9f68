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

function segment(buf: Buffer, from: number, to: number, firstLine: number, bufStart: number, endLine: number): Segment {
  return { bytes: new Uint8Array(buf.subarray(from, to)), firstLine, end: bufStart + to, endLine };
}

export async function* readJsonlSegments(path: string, from: SegmentStart = { offset: 0, line: 0 }): AsyncGenerator<Segment> {
  const fh = await open(path, 'r');
  try {
    let pos = from.offset;
    let line = from.line;
    // Bytes read but not yet cut into a segment; `scan` is where the line scan resumes in it.
    let buf: Buffer = Buffer.alloc(0);
    let scan = 0;
    let count = 0;
    let segLine = line + 1;
    let segStart = pos; // file offset of buf[0]
    let first = from.offset === 0;
    for (;;) {
      const block = Buffer.allocUnsafe(READ);
      const { bytesRead } = await fh.read(block, 0, READ, pos);
      const eof = bytesRead === 0;
      if (!eof) {
        pos += bytesRead;
        let data = block.subarray(0, bytesRead);
        // A UTF-8 byte order mark (some editors write one) is not part of the first record.
        if (first && data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
          data = data.subarray(3);
          segStart += 3;
        }
        first = false;
        buf = buf.length === 0 ? data : Buffer.concat([buf, data]);
      }
      let cut = 0; // start of the segment being filled, in buf
      for (;;) {
        let nl = buf.indexOf(10, scan);
        if (nl < 0) {
          if (!eof || scan >= buf.length) break;
          nl = buf.length; // the last line, without a newline
        }
        line++;
        if (!blank(buf, scan, nl)) count++;
        scan = nl + 1;
        if (count === CHUNK) {
          yield segment(buf, cut, Math.min(scan, buf.length), segLine, segStart, line);
          cut = scan;
          count = 0;
          segLine = line + 1;
        }
      }
      if (eof) {
        if (count > 0) yield segment(buf, cut, buf.length, segLine, segStart, line);
        return;
      }
      // Keep only the segment in progress.
      if (cut > 0) {
        buf = buf.subarray(cut);
        scan -= cut;
        segStart += cut;
      }
    }
  } finally {
    await fh.close();
  }
}
