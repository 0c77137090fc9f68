// Numbers of a kserve-v2 JSON tensor written straight into the request's bytes. Printing a
// 4,096 × 20 tensor with JSON.stringify (after copying the typed array into a plain one) and then
// encoding the string for the socket was most of a remote call's cost; here each number is digits
// written into a buffer, and only a number that needs all 17 digits goes through V8's printer.
// What is printed is exact for the datatype the server reads:
// - FP32: the float32 the server will hold, with 9 significant digits — enough for any float32 to
//   come back unchanged, also when a server parses to a double first and then narrows (the decimal
//   lies within a tenth of a float32's half-spacing of the value, far from any rounding boundary);
// - FP64, INT32, INT64 (already truncated): V8's shortest round-trip form, which prints doubles
//   faster than digits made here; the tensor is copied into a plain array for JSON.stringify
//   (Array.from of a typed array costs four times the loop) and the text written into the buffer.

/** Exact powers of ten (every one up to 10^22 is a double). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const MAX_SAFE = 2 ** 53;
const ZERO = 48;

/** A growing byte buffer; `bytes()` is a view of what was written. */
export class ByteWriter {
  buf: Buffer;
  at = 0;

  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  /** Latin-1 text (JSON punctuation, names already escaped by JSON.stringify, V8's number forms). */
  ascii(s: string): void {
    this.ensure(s.length);
    this.at += this.buf.write(s, this.at, 'latin1');
  }

  /** Any text, UTF-8 encoded. */
  text(s: string): void {
    this.ensure(s.length * 3);
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  byte(b: number): void {
    if (this.at === this.buf.length) this.ensure(1);
    this.buf[this.at++] = b;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

/** Digits of a non-negative integer below 2^53 at `w.at` (room already ensured). */
function digits(w: ByteWriter, v: number): void {
  const b = w.buf;
  if (v >= 1e8) {
    const hi = Math.floor(v / 1e8);
    digits(w, hi);
    let lo = (v - hi * 1e8) | 0;
    for (let k = w.at + 7; k >= w.at; k--) {
      b[k] = ZERO + (lo % 10);
      lo = (lo / 10) | 0;
    }
    w.at += 8;
    return;
  }
  let n = 1;
  for (let t = 10; t <= v; t *= 10) n++;
  let x = v | 0;
  for (let k = w.at + n - 1; k >= w.at; k--) {
    b[k] = ZERO + (x % 10);
    x = (x / 10) | 0;
  }
  w.at += n;
}

/**
 * `m` (an integer of `sig` significant digits, sig ≤ 16) times 10^(exp − sig + 1), so that its
 * first digit is at 10^exp: plain decimals for -7 < exp < 15, else with an exponent; trailing
 * zeros of the fraction dropped. Callers print larger numbers (exp ≥ 15) through V8.
 */
function decimal(w: ByteWriter, neg: boolean, m: number, sig: number, exp: number): void {
  while (sig > 1 && m % 10 === 0 && (exp >= 15 || sig - 1 > exp)) {
    m /= 10;
    sig--;
  }
  if (neg) w.byte(45);
  if (exp >= 0 && exp < 15) {
    if (sig <= exp + 1) {
      digits(w, m * POW10[exp + 1 - sig]!);
      return;
    }
    const start = w.at;
    digits(w, m);
    // Insert the point after exp + 1 digits.
    const b = w.buf;
    for (let k = w.at; k > start + exp + 1; k--) b[k] = b[k - 1]!;
    b[start + exp + 1] = 46;
    w.at++;
    return;
  }
  if (exp < 0 && exp > -7) {
    w.byte(ZERO);
    w.byte(46);
    for (let k = -1; k > exp; k--) w.byte(ZERO);
    digits(w, m);
    return;
  }
  const start = w.at;
  digits(w, m);
  if (sig > 1) {
    const b = w.buf;
    for (let k = w.at; k > start + 1; k--) b[k] = b[k - 1]!;
    b[start + 1] = 46;
    w.at++;
  }
  w.byte(101);
  if (exp < 0) w.byte(45);
  digits(w, Math.abs(exp));
}

/** V8's own form (shortest round trip); non-finite numbers as JSON.stringify writes them. */
function fallback(w: ByteWriter, x: number): void {
  w.ascii(Number.isFinite(x) ? String(x) : 'null');
}

/** The result of `scale`: digits and the power of ten of the first (module state, not an object per number). */
let sm = 0;
let sexp = 0;

/** `a` rounded to `sig` significant digits as sm · 10^(sexp − sig + 1); false outside 10^±22 scaling. */
function scale(a: number, sig: number): boolean {
  let exp = Math.floor(Math.log10(a));
  for (let tries = 0; tries < 2; tries++) {
    const p = sig - 1 - exp;
    if (p > 22 || p < -22) return false;
    const m = Math.round(p >= 0 ? a * POW10[p]! : a / POW10[-p]!);
    if (m >= POW10[sig]!) exp++;
    else if (m < POW10[sig - 1]!) exp--;
    else {
      sm = m;
      sexp = exp;
      return true;
    }
  }
  return false;
}

function writeFloat32(w: ByteWriter, x: number): void {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return fallback(w, x);
  const a = Math.abs(f);
  if (Number.isInteger(a) && a < MAX_SAFE) {
    if (f < 0) w.byte(45);
    return digits(w, a);
  }
  if (!scale(a, 9) || sexp >= 15) return fallback(w, f);
  decimal(w, f < 0, sm, 9, sexp);
}

/** Most bytes one number takes (V8's longest form is 24 characters, "-1.2345678901234567e-308"). */
const MAX_NUMBER = 26;

/** `data` as a JSON array of numbers for a tensor of `datatype`. */
export function writeJsonArray(w: ByteWriter, data: ArrayLike<number>, datatype: 'FP32' | 'FP64' | 'INT32' | 'INT64'): void {
  const n = data.length;
  if (datatype !== 'FP32') {
    const plain: number[] = new Array(n);
    for (let i = 0; i < n; i++) plain[i] = data[i]!;
    const text = JSON.stringify(plain);
    w.ascii(text);
    return;
  }
  w.ensure(n * MAX_NUMBER + 2);
  w.byte(91);
  for (let i = 0; i < n; i++) {
    if (i > 0) w.byte(44);
    writeFloat32(w, data[i]!);
  }
  w.byte(93);
}
