// Reading a few top-level fields of a JSON Lines line without building the whole object: a strict
// JSON scanner over the line's UTF-8 bytes (RFC 8259 grammar, as JSON.parse accepts it) that
// validates the entire line but materialises only the wanted fields' values. JSON.parse of a whole
// e-commerce event costs ~2 µs here; most of it is creating properties and strings nobody
// downstream reads.
//
// Exactness: a wanted value is what JSON.parse gives for its bytes. Strings without escapes are
// decoded as they are (a quote is ASCII, so decoding the slice gives the same characters as
// decoding the line), numbers of at most 15 digits are m / 10^k (both exact doubles, so the
// division rounds correctly, as JSON.parse does) and other numbers go through Number(), anything
// else is JSON.parse-d; a repeated key keeps its last value, as JSON.parse does. A line the scanner
// rejects, or that nests deeper than `maxDepth`, is left to the caller's JSON.parse path, so bad
// lines get JSON.parse's own message: the scanner can only decline, never accept what JSON.parse
// would not.

/** Marks a wanted field the line does not hold. */
export const MISSING: unique symbol = Symbol('missing');

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

let b: Uint8Array = new Uint8Array(0);
let pos = 0;
let end = 0;
let depth = 0;
let limit = 0;
/** Whether the last string scanned held a backslash escape / a non-ASCII byte. */
let escaped = false;
let wide = false;

/** The byte at `i`, or -1 past the line. */
function at(i: number): number {
  return i < end ? b[i]! : -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function ws(): void {
  while (pos < end) {
    const c = b[pos]!;
    if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
    else return;
  }
}

/** At a quote: past the string's closing quote. */
function str(): boolean {
  pos++;
  escaped = false;
  wide = false;
  while (pos < end) {
    const c = b[pos]!;
    if (c === 34) {
      pos++;
      return true;
    }
    if (c < 32) return false;
    if (c === 92) {
      escaped = true;
      const e = at(pos + 1);
      if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) pos += 2;
      else if (e === 117) {
        if (!isHex(at(pos + 2)) || !isHex(at(pos + 3)) || !isHex(at(pos + 4)) || !isHex(at(pos + 5))) return false;
        pos += 6;
      } else return false;
    } else {
      if (c >= 128) wide = true;
      pos++;
    }
  }
  return false;
}

function num(): boolean {
  if (at(pos) === 45) pos++;
  const c = at(pos);
  if (c === 48) pos++;
  else if (c >= 49 && c <= 57) {
    pos++;
    while (isDigit(at(pos))) pos++;
  } else return false;
  if (at(pos) === 46) {
    pos++;
    if (!isDigit(at(pos))) return false;
    while (isDigit(at(pos))) pos++;
  }
  const e = at(pos);
  if (e === 101 || e === 69) {
    pos++;
    const s = at(pos);
    if (s === 43 || s === 45) pos++;
    if (!isDigit(at(pos))) return false;
    while (isDigit(at(pos))) pos++;
  }
  return true;
}

function lit(a: number, c: number, d: number, e: number, len: number): boolean {
  if (pos + len > end || b[pos + 1] !== a || b[pos + 2] !== c || b[pos + 3] !== d || (len === 5 && b[pos + 4] !== e)) return false;
  pos += len;
  return true;
}

function value(): boolean {
  const c = at(pos);
  if (c === 34) return str();
  if (c === 123) return obj();
  if (c === 91) return arr();
  if (c === 45 || isDigit(c)) return num();
  if (c === 116) return lit(114, 117, 101, 0, 4); // true
  if (c === 102) return lit(97, 108, 115, 101, 5); // false
  if (c === 110) return lit(117, 108, 108, 0, 4); // null
  return false;
}

function arr(): boolean {
  if (++depth > limit) return false;
  pos++;
  ws();
  if (at(pos) === 93) {
    pos++;
    depth--;
    return true;
  }
  for (;;) {
    if (!value()) return false;
    ws();
    const c = at(pos);
    pos++;
    if (c === 93) break;
    if (c !== 44) return false;
    ws();
  }
  depth--;
  return true;
}

function obj(): boolean {
  if (++depth > limit) return false;
  pos++;
  ws();
  if (at(pos) === 125) {
    pos++;
    depth--;
    return true;
  }
  for (;;) {
    if (at(pos) !== 34 || !str()) return false;
    ws();
    if (at(pos) !== 58) return false;
    pos++;
    ws();
    if (!value()) return false;
    ws();
    const c = at(pos);
    pos++;
    if (c === 125) break;
    if (c !== 44) return false;
    ws();
  }
  depth--;
  return true;
}

function ascii(from: number, to: number): string {
  return String.fromCharCode.apply(null, b.subarray(from, to) as unknown as number[]);
}

function text(from: number, to: number): string {
  return to - from <= 64 ? ascii(from, to) : utf8.decode(b.subarray(from, to));
}

/** A number's value from its valid JSON bytes. */
function numberOf(from: number, to: number): number {
  let i = from;
  const neg = b[i] === 45;
  if (neg) i++;
  let m = 0;
  let digits = 0;
  let frac = 0;
  let dot = false;
  for (; i < to; i++) {
    const c = b[i]!;
    if (c === 46) dot = true;
    else if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      if (m !== 0 || dot) digits++;
      if (dot) frac++;
    } else break; // an exponent
  }
  if (i < to || digits > 15) return Number(ascii(from, to));
  const v = m / POW10[frac]!;
  return neg ? -v : v;
}

/** The value JSON.parse gives for the valid JSON bytes [from, to). */
function valueOf(from: number, to: number, strEscaped: boolean, strWide: boolean): unknown {
  const c = b[from]!;
  if (c === 34) {
    if (strEscaped) return JSON.parse(utf8.decode(b.subarray(from, to)));
    return strWide ? utf8.decode(b.subarray(from + 1, to - 1)) : text(from + 1, to - 1);
  }
  if (c === 45 || isDigit(c)) return numberOf(from, to);
  if (c === 116) return true;
  if (c === 102) return false;
  if (c === 110) return null;
  return JSON.parse(utf8.decode(b.subarray(from, to)));
}

/**
 * Scans bytes [from, to) as one JSON object and stores in `out[j]` the value of top-level field
 * `fields[j]` (MISSING when absent); `keys[j]` is that field's name in UTF-8. False when the line
 * is not a JSON object the scanner accepts (malformed, blank, not an object, or deeper than
 * `maxDepth`): the caller then decodes and parses it as usual.
 */
export function scanFields(bytes: Uint8Array, from: number, to: number, fields: readonly string[], keys: readonly Uint8Array[], maxDepth: number, out: unknown[]): boolean {
  b = bytes;
  pos = from;
  end = to;
  depth = 1;
  limit = maxDepth;
  const nf = fields.length;
  for (let j = 0; j < nf; j++) out[j] = MISSING;
  ws();
  if (at(pos) !== 123) return false;
  pos++;
  ws();
  if (at(pos) === 125) pos++;
  else {
    for (;;) {
      const k0 = pos;
      if (at(pos) !== 34 || !str()) return false;
      const k1 = pos;
      let want = -1;
      if (escaped || wide) want = fields.indexOf(JSON.parse(utf8.decode(b.subarray(k0, k1))) as string);
      else {
        const len = k1 - k0 - 2;
        for (let j = 0; j < nf && want < 0; j++) {
          const k = keys[j]!;
          if (k.length !== len) continue;
          let same = true;
          for (let x = 0; x < len && same; x++) same = k[x] === b[k0 + 1 + x];
          if (same) want = j;
        }
      }
      ws();
      if (at(pos) !== 58) return false;
      pos++;
      ws();
      const v0 = pos;
      if (!value()) return false;
      if (want >= 0) out[want] = valueOf(v0, pos, escaped, wide);
      ws();
      const c = at(pos);
      pos++;
      if (c === 125) break;
      if (c !== 44) return false;
      ws();
    }
  }
  ws();
  return pos === end;
}
