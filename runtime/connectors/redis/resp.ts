// The Redis protocol (RESP2) as far as a pipelined writer needs it: commands encoded into one
// buffer, and replies counted as they stream in, keeping each one's error text. A reply's value is
// never built: the writer only needs to know that every command was answered, and which failed.
// (https://redis.io/docs/latest/develop/reference/protocol-spec/)

const CR = 13;
const LF = 10;

/** One command: its name, then its arguments. */
export type RespCommand = readonly (string | number)[];

/** Scratch space kept between batches; one huge batch's is let go after it. */
const KEEP_SCRATCH = 1 << 20;
let scratch: Buffer = Buffer.allocUnsafe(1 << 16);

/** The commands in RESP, ready for one socket write (a buffer of its own). */
export function encodeCommands(cmds: readonly RespCommand[]): Buffer {
  // Written straight into scratch space, then copied out once: building one string cost a cons
  // string per piece (~1.2 KB of garbage per command of eight arguments).
  let b: Buffer = scratch;
  let n = 0;
  for (let i = 0; i < cmds.length; i++) {
    const c = cmds[i]!;
    if (n + 16 > b.length) b = grown(b, n, 16);
    n = header(b, n, 0x2a, c.length);
    for (let j = 0; j < c.length; j++) {
      const a = c[j]!;
      const t = typeof a === 'string' ? a : String(a);
      const len = Buffer.byteLength(t);
      if (n + len + 32 > b.length) b = grown(b, n, len + 32);
      n = header(b, n, 0x24, len);
      n += b.write(t, n);
      b[n++] = CR;
      b[n++] = LF;
    }
  }
  const out = Buffer.allocUnsafe(n);
  b.copy(out, 0, 0, n);
  scratch = b.length > KEEP_SCRATCH ? Buffer.allocUnsafe(1 << 16) : b;
  return out;
}

/** `*count\r\n` or `$length\r\n` at `n`; returns the end. */
function header(b: Buffer, n: number, type: number, x: number): number {
  b[n++] = type;
  if (x === 0) b[n++] = 0x30;
  else {
    const start = n;
    for (let v = x; v > 0; v = Math.floor(v / 10)) b[n++] = 0x30 + (v % 10);
    // Digits went in least significant first.
    for (let l = start, r = n - 1; l < r; l++, r--) {
      const t = b[l]!;
      b[l] = b[r]!;
      b[r] = t;
    }
  }
  b[n++] = CR;
  b[n++] = LF;
  return n;
}

/** A larger scratch buffer holding the first `used` bytes of `b`, with room for `more`. */
function grown(b: Buffer, used: number, more: number): Buffer {
  const g = Buffer.allocUnsafe(Math.max(b.length * 2, used + more));
  b.copy(g, 0, 0, used);
  return g;
}

/** Called once per complete top-level reply: its error text, or null when it is not an error. */
export type OnReply = (error: string | null) => void;

/**
 * Scans a reply stream: each complete top-level reply is reported once, in order. Input may be cut
 * anywhere; an incomplete reply waits for the rest.
 */
export class ReplyScanner {
  private rest: Buffer | null = null;
  /** Counts resets, so a reset from inside onReply ends the push it came from. */
  private generation = 0;

  constructor(private readonly onReply: OnReply) {}

  push(chunk: Buffer): void {
    let b = chunk;
    if (this.rest !== null) {
      b = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    const gen = this.generation;
    let at = 0;
    for (;;) {
      const r = scan(b, at);
      if (r === null) break;
      at = r.end;
      this.onReply(r.error);
      // The connection was given up: what is left of this chunk belongs to no one.
      if (this.generation !== gen) return;
    }
    if (at < b.length) this.rest = b.subarray(at);
  }

  /** Bytes of an incomplete reply held (0 between replies). */
  get held(): number {
    return this.rest === null ? 0 : this.rest.length;
  }

  reset(): void {
    this.rest = null;
    this.generation++;
  }
}

interface Scanned {
  end: number;
  error: string | null;
}

/** Protocol violations: the connection cannot be trusted past them. */
export class RespProtocolError extends Error {}

/** The reply starting at `at`, or null when `b` does not hold all of it yet. */
function scan(b: Buffer, at: number): Scanned | null {
  if (at >= b.length) return null;
  const eol = lineEnd(b, at + 1);
  if (eol < 0) return null;
  const type = b[at]!;
  const next = eol + 2;
  switch (type) {
    case 0x2b: // + simple string
    case 0x3a: // : integer
      return { end: next, error: null };
    case 0x2d: // - error
      return { end: next, error: b.toString('utf8', at + 1, eol) };
    case 0x24: {
      // $ bulk string: length, then that many bytes and CRLF; -1 is null.
      const n = intAt(b, at + 1, eol);
      if (n < 0) return { end: next, error: null };
      const end = next + n + 2;
      return end <= b.length ? { end, error: null } : null;
    }
    case 0x2a: {
      // * array: that many replies; -1 is null. An error inside (EXEC's) counts for the reply.
      const n = intAt(b, at + 1, eol);
      let end = next;
      let error: string | null = null;
      for (let i = 0; i < n; i++) {
        const r = scan(b, end);
        if (r === null) return null;
        end = r.end;
        error ??= r.error;
      }
      return { end, error };
    }
    default:
      throw new RespProtocolError(`unexpected reply type byte ${type} from Redis`);
  }
}

function lineEnd(b: Buffer, from: number): number {
  const i = b.indexOf(CR, from);
  if (i < 0 || i + 1 >= b.length) return -1;
  if (b[i + 1] !== LF) throw new RespProtocolError('a reply line from Redis does not end in CRLF');
  return i;
}

function intAt(b: Buffer, from: number, to: number): number {
  const n = Number(b.toString('latin1', from, to));
  if (!Number.isInteger(n)) throw new RespProtocolError('a length in a reply from Redis is not a number');
  return n;
}
