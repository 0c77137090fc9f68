// The documented helper functions callable from expressions. The set is kept
// small on purpose: every helper must have a Flink SQL counterpart so the
// exporter can translate expressions. Helpers follow SQL null semantics
// (a null/undefined required input gives null) so both engines agree.

export interface HelperSpec {
  /** TypeScript-like signature; `?` marks optional params, `...` a rest param. */
  signature: string;
  /** One sentence for docs and editor hover. */
  doc: string;
  fn: (...args: any[]) => unknown;
  /** The Flink SQL function the exporter maps this helper to. */
  sql: string;
}

type Nullable<T> = T | null;

const isNil = (x: unknown): x is null | undefined => x === null || x === undefined;

function str(x: unknown): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'object' && x !== null) return JSON.stringify(x);
  return String(x);
}

function num(x: unknown): number {
  return typeof x === 'number' ? x : Number(x);
}

function lower(s: unknown): Nullable<string> {
  return isNil(s) ? null : str(s).toLowerCase();
}

function upper(s: unknown): Nullable<string> {
  return isNil(s) ? null : str(s).toUpperCase();
}

function trim(s: unknown): Nullable<string> {
  return isNil(s) ? null : str(s).trim();
}

function length(x: unknown): Nullable<number> {
  if (isNil(x)) return null;
  return Array.isArray(x) ? x.length : str(x).length;
}

function concat(...xs: unknown[]): Nullable<string> {
  let out = '';
  for (const x of xs) {
    if (isNil(x)) return null;
    out += str(x);
  }
  return out;
}

function substring(s: unknown, start: unknown, len?: unknown): Nullable<string> {
  if (isNil(s) || isNil(start)) return null;
  const text = str(s);
  const from = Math.max(0, Math.trunc(num(start)) || 0);
  if (len === undefined || len === null) return text.slice(from);
  const n = Math.trunc(num(len)) || 0;
  return n <= 0 ? '' : text.slice(from, from + n);
}

function contains(s: unknown, sub: unknown): Nullable<boolean> {
  if (isNil(s) || isNil(sub)) return null;
  return Array.isArray(s) ? s.includes(sub) : str(s).includes(str(sub));
}

function startsWith(s: unknown, prefix: unknown): Nullable<boolean> {
  if (isNil(s) || isNil(prefix)) return null;
  return str(s).startsWith(str(prefix));
}

function endsWith(s: unknown, suffix: unknown): Nullable<boolean> {
  if (isNil(s) || isNil(suffix)) return null;
  return str(s).endsWith(str(suffix));
}

function abs(x: unknown): Nullable<number> {
  return isNil(x) ? null : Math.abs(num(x));
}

function round(x: unknown, digits?: unknown): Nullable<number> {
  if (isNil(x)) return null;
  const v = num(x);
  const d = isNil(digits) ? 0 : Math.trunc(num(digits));
  // SQL ROUND rounds half away from zero; Math.round rounds half up (-2.5 -> -2).
  const sign = v < 0 ? -1 : 1;
  const a = Math.abs(v);
  if (d === 0) return sign * Math.round(a);
  // Shift by exponent notation rather than multiplying, so 1.005 -> 1.01 as
  // written rather than 1.00 from binary float error.
  const text = String(a);
  if (text.includes('e')) {
    const f = 10 ** d;
    return (sign * Math.round(a * f)) / f;
  }
  return sign * Number(`${Math.round(Number(`${text}e${d}`))}e${-d}`);
}

function floor(x: unknown): Nullable<number> {
  return isNil(x) ? null : Math.floor(num(x));
}

function ceil(x: unknown): Nullable<number> {
  return isNil(x) ? null : Math.ceil(num(x));
}

function sqrt(x: unknown): Nullable<number> {
  return isNil(x) ? null : Math.sqrt(num(x));
}

function pow(x: unknown, y: unknown): Nullable<number> {
  return isNil(x) || isNil(y) ? null : num(x) ** num(y);
}

function min(...xs: unknown[]): unknown {
  let best: unknown = undefined;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (isNil(x)) return null;
    if (i === 0 || (x as number) < (best as number)) best = x;
  }
  return best;
}

function max(...xs: unknown[]): unknown {
  let best: unknown = undefined;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (isNil(x)) return null;
    if (i === 0 || (x as number) > (best as number)) best = x;
  }
  return best;
}

function coalesce(...xs: unknown[]): unknown {
  for (const x of xs) if (!isNil(x)) return x;
  return null;
}

function toNumber(x: unknown): Nullable<number> {
  if (isNil(x)) return null;
  if (typeof x === 'number') return Number.isNaN(x) ? null : x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  const s = str(x).trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isNaN(n) ? null : n;
}

function toString(x: unknown): Nullable<string> {
  return isNil(x) ? null : str(x);
}

// FNV-1a over the UTF-8 bytes: byte-based so a Flink UDF (or any other
// language) can reproduce it exactly; encoded inline to avoid allocating.
function hash(s: unknown): Nullable<number> {
  if (isNil(s)) return null;
  const text = str(s);
  let h = 0x811c9dc5;
  const byte = (b: number): void => {
    h = Math.imul(h ^ b, 0x01000193);
  };
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) byte(c);
    else if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 63));
    } else if (c < 0x10000) {
      // Lone surrogates land here and encode as U+FFFD, as TextEncoder does.
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      byte(0xe0 | (c >> 12));
      byte(0x80 | ((c >> 6) & 63));
      byte(0x80 | (c & 63));
    } else {
      byte(0xf0 | (c >> 18));
      byte(0x80 | ((c >> 12) & 63));
      byte(0x80 | ((c >> 6) & 63));
      byte(0x80 | (c & 63));
    }
  }
  return h >>> 0;
}

// ISO-8601 date or date-time. Parsed by hand because Date.parse treats a
// zone-less date-time as *local* time, which would differ between machines;
// here a missing zone means UTC.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function timestamp(x: unknown): Nullable<number> {
  if (isNil(x)) return null;
  if (typeof x === 'number') return Number.isFinite(x) ? x : null;
  if (x instanceof Date) {
    const t = x.getTime();
    return Number.isNaN(t) ? null : t;
  }
  const s = str(x).trim();
  if (s === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  const m = ISO.exec(s);
  if (m) {
    const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
    let t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms);
    const zone = m[8];
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
      t -= sign * offsetMin * 60_000;
    }
    return Number.isNaN(t) ? null : t;
  }
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

// SQL SUM over a list: null elements are skipped and an empty list sums to 0; a list that is null
// (a cep step that took no event yet) gives null. Anything but a number is an error, as SQL's types
// would reject it, so the record goes to the node's errors port instead of summing to nonsense.
function sum(xs: unknown, field?: unknown): Nullable<number> {
  if (isNil(xs)) return null;
  if (!Array.isArray(xs)) throw new TypeError(`sum needs a list, not ${typeof xs}`);
  const f = isNil(field) ? null : str(field);
  let total = 0;
  for (const x of xs) {
    const v = f === null ? x : isNil(x) ? x : (x as Record<string, unknown>)[f];
    if (isNil(v)) continue;
    if (typeof v !== 'number') throw new TypeError(`sum: ${JSON.stringify(v)} is not a number`);
    total += v;
  }
  return total;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

// Subset of the Java/Flink DATE_FORMAT pattern letters, always in UTC:
// yyyy yy MM M dd d HH H mm m ss s SSS; text in single quotes is literal
// ('' is a quote); any other character is copied through.
function dateFormat(ms: unknown, pattern: unknown): Nullable<string> {
  const t = timestamp(ms);
  if (t === null || isNil(pattern)) return null;
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return null;
  const p = str(pattern);
  let out = '';
  let i = 0;
  while (i < p.length) {
    const ch = p[i]!;
    if (ch === "'") {
      // Quoted literal text; '' is a quote both inside and outside quotes.
      if (p[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      i++;
      while (i < p.length) {
        if (p[i] === "'") {
          if (p[i + 1] !== "'") break;
          i++;
        }
        out += p[i];
        i++;
      }
      i++; // closing quote
      continue;
    }
    let j = i;
    while (j < p.length && p[j] === ch) j++;
    const n = j - i;
    switch (ch) {
      case 'y':
        out += n === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), n);
        break;
      case 'M':
        out += pad(d.getUTCMonth() + 1, n);
        break;
      case 'd':
        out += pad(d.getUTCDate(), n);
        break;
      case 'H':
        out += pad(d.getUTCHours(), n);
        break;
      case 'm':
        out += pad(d.getUTCMinutes(), n);
        break;
      case 's':
        out += pad(d.getUTCSeconds(), n);
        break;
      case 'S':
        out += pad(d.getUTCMilliseconds(), 3).slice(0, n).padEnd(n, '0');
        break;
      default:
        out += p.slice(i, j);
    }
    i = j;
  }
  return out;
}

const spec = (signature: string, doc: string, fn: HelperSpec['fn'], sql: string): HelperSpec =>
  Object.freeze({ signature, doc, fn, sql });

export const HELPERS: Readonly<Record<string, HelperSpec>> = Object.freeze({
  lower: spec('lower(s: string): string', 'Lower-cases a string.', lower, 'LOWER'),
  upper: spec('upper(s: string): string', 'Upper-cases a string.', upper, 'UPPER'),
  trim: spec('trim(s: string): string', 'Removes leading and trailing whitespace.', trim, 'TRIM'),
  length: spec(
    'length(x: string | array): number',
    'Length of a string (in UTF-16 units) or number of elements of an array (SQL CARDINALITY for arrays).',
    length,
    'CHAR_LENGTH',
  ),
  concat: spec(
    'concat(...xs: any[]): string',
    'Concatenates the values as strings; null if any value is null.',
    concat,
    'CONCAT',
  ),
  substring: spec(
    'substring(s: string, start: number, len?: number): string',
    'The part of s from the 0-based index start, at most len characters (SQL SUBSTRING is 1-based, so the exporter adds 1).',
    substring,
    'SUBSTRING',
  ),
  contains: spec(
    'contains(s: string | array, sub: any): boolean',
    'Whether the string s contains sub, or the array s includes the element sub (SQL ARRAY_CONTAINS for arrays).',
    contains,
    'POSITION',
  ),
  startsWith: spec(
    'startsWith(s: string, prefix: string): boolean',
    'Whether s begins with prefix.',
    startsWith,
    'STARTSWITH',
  ),
  endsWith: spec('endsWith(s: string, suffix: string): boolean', 'Whether s ends with suffix.', endsWith, 'ENDSWITH'),
  abs: spec('abs(x: number): number', 'Absolute value.', abs, 'ABS'),
  sum: spec(
    'sum(xs: array, field?: string): number',
    "Sum of the numbers in a list, or of one field of its objects; null elements are skipped, an empty list gives 0, a null list null. In a cep step, `sum(match.middle, 'price')` is MATCH_RECOGNIZE's SUM(middle.price).",
    sum,
    'SUM',
  ),
  round: spec(
    'round(x: number, digits?: number): number',
    'Rounds half away from zero to the given number of decimal digits (default 0).',
    round,
    'ROUND',
  ),
  floor: spec('floor(x: number): number', 'Largest integer not greater than x.', floor, 'FLOOR'),
  ceil: spec('ceil(x: number): number', 'Smallest integer not less than x.', ceil, 'CEIL'),
  sqrt: spec('sqrt(x: number): number', 'Square root.', sqrt, 'SQRT'),
  pow: spec('pow(x: number, y: number): number', 'x raised to the power y.', pow, 'POWER'),
  min: spec('min(...xs: any[]): any', 'Smallest of the values; null if any value is null.', min, 'LEAST'),
  max: spec('max(...xs: any[]): any', 'Largest of the values; null if any value is null.', max, 'GREATEST'),
  coalesce: spec(
    'coalesce(...xs: any[]): any',
    'The first value that is not null or undefined, else null.',
    coalesce,
    'COALESCE',
  ),
  toNumber: spec(
    'toNumber(x: any): number',
    'Converts to a number; null if the value is not numeric (SQL CAST ... AS DOUBLE).',
    toNumber,
    'CAST',
  ),
  toString: spec(
    'toString(x: any): string',
    'Converts to a string, objects and arrays as JSON (SQL CAST ... AS STRING).',
    toString,
    'CAST',
  ),
  hash: spec(
    'hash(s: any): number',
    'Stable 32-bit FNV-1a hash of the UTF-8 text, a non-negative integer (needs a matching UDF in Flink).',
    hash,
    'HASH',
  ),
  timestamp: spec(
    'timestamp(x: string | number): number',
    'Epoch milliseconds from an ISO-8601 string (UTC when no zone is given) or a number.',
    timestamp,
    'UNIX_TIMESTAMP',
  ),
  dateFormat: spec(
    'dateFormat(ms: number, pattern: string): string',
    "Formats epoch milliseconds in UTC with a pattern such as 'yyyy-MM-dd HH:mm:ss.SSS'.",
    dateFormat,
    'DATE_FORMAT',
  ),
});

/** Allowed argument counts, derived from the signature so they cannot drift apart. */
export interface Arity {
  min: number;
  max: number; // Infinity for a rest parameter
}

function arityOf(signature: string): Arity {
  const inner = signature.slice(signature.indexOf('(') + 1, signature.indexOf(')')).trim();
  if (inner === '') return { min: 0, max: 0 };
  let min = 0;
  let max = 0;
  for (const raw of inner.split(',')) {
    const name = raw.split(':')[0]!.trim();
    if (name.startsWith('...')) return { min: Math.max(min, 1), max: Infinity };
    max++;
    if (!name.endsWith('?')) min++;
  }
  return { min, max };
}

export const HELPER_ARITY: Readonly<Record<string, Arity>> = Object.freeze(
  Object.fromEntries(Object.entries(HELPERS).map(([name, h]) => [name, arityOf(h.signature)])),
);

/** Own-property check: `toString`/`constructor` etc. on the prototype are not helpers. */
export function isHelperName(name: string): boolean {
  return Object.hasOwn(HELPERS, name);
}
