// Differential test of the projected-decoding scanner against JSON.parse: over many random and
// mutated lines (escapes, lone surrogates, odd numbers, duplicate and escaped keys, whitespace
// JSON does and does not allow, a BOM, invalid UTF-8, deep nesting), the scanner must never accept
// a line JSON.parse (or the depth limit) rejects, and for every line it accepts must give exactly
// JSON.parse's values (-0 included) for the fields it builds, the last of repeated keys.
// SCAN_FUZZ_LINES sets how many lines (default 20,000; `npm run test:long` style runs use more).
import { describe, expect, it } from 'vitest';
import { MISSING, scanFields } from '../../runtime/connectors/decode/scan.js';
import { MAX_RECORD_NESTING, tooDeepAt } from '../../runtime/format/nesting.js';

const LINES = Number(process.env.SCAN_FUZZ_LINES ?? 20_000);
const NAMES = ['userId', 'ts', 'price', 'a', 'é', '', 'user\u0000', '__proto__', 'k'];
const STR = ['', 'u123', 'é', '☃', '𝄞', '\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\u0000', '\\uD800', '\\uDC00', '\\ud834\\udd1e', '\\u0075', '\\u00e9', '\\uFFFF', '}', ']', ',', ':', '{', '[', 'userId', 'ts', 'a'.repeat(70)];
const BAD_STR = ['\\u', '\\u12', '\\x', '\\', '"', '\u0001', '\u001f'];
const NUMS = ['0', '-0', '-0.0', '1', '-1', '1e400', '-1e400', '1E+2', '1e-2', '1.5e-7', '0.1', '29.99', '123456789012345', '1234567890123456', '12345678901234567890', '0.000000000000000000001', '9007199254740993', '4.35', '2.2250738585072014e-308', '5e-324', '1.7976931348623157e308', '0.1000000000000000055511151231257827', '0e0', '-0e-0', '1e22', '1e23', '999999999999999', '9999999999999999', '0.30000000000000004', '0.0000'];
const BAD_NUMS = ['01', '-01', '00', '1.', '.5', '-', '+1', '1e', '1e+', 'NaN', 'Infinity', '0x10', '1_000', '- 1'];
const LITS = ['true', 'false', 'null'];
const BAD_LITS = ['tru', 'nul', 'fals', 'True', 'undefined', 'nulll'];
const WS = [' ', '\t', '\r', '  ', ' \t\r '];
const BAD_WS = ['\u00a0', '\u000b', '\f', '\u2028', '\ufeff'];
const INVALID_UTF8 = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf0, 0x9f], [0x80], [0xf4, 0x90, 0x80, 0x80], [0xc2], [0xef, 0xbb, 0xbf], [0xe0, 0x80, 0x80]];

/** Equal as JSON.parse results are: numbers by Object.is (-0 is not 0), keys in order. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number') return Object.is(a, b);
  if (a === null || typeof a !== 'object') return a === b;
  if (b === null || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

describe('the projected-decoding scanner against JSON.parse', () => {
  it(`accepts only what JSON.parse accepts and builds its values (${LINES} lines)`, () => {
    let seed = 20261206;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
    let bad = 0;
    const either = <T>(good: readonly T[], wrong: readonly T[]): T => pick(rnd() < bad ? wrong : good);
    const ws = () => (rnd() < 0.8 ? '' : either(WS, BAD_WS));
    const str = () => {
      let s = '';
      for (let n = Math.floor(rnd() * 4); n > 0; n--) s += either(STR, BAD_STR);
      return `"${s}"`;
    };
    const num = () => {
      if (rnd() < 0.5) return either(NUMS, BAD_NUMS);
      let s = rnd() < 0.3 ? '-' : '';
      s += String(1 + Math.floor(rnd() * 9));
      for (let d = Math.floor(rnd() * 20); d > 0; d--) s += String(Math.floor(rnd() * 10));
      if (rnd() < 0.5) {
        s += '.';
        for (let d = 1 + Math.floor(rnd() * 18); d > 0; d--) s += String(Math.floor(rnd() * 10));
      }
      if (rnd() < 0.3) s += pick(['e', 'E']) + pick(['', '+', '-']) + String(Math.floor(rnd() * 400));
      return s;
    };
    const key = () => {
      const r = rnd();
      if (r < 0.5) return JSON.stringify(pick(NAMES));
      if (r < 0.75) return pick(['"\\u0075serId"', '"user\\u0049d"', '"\\u00e9"', '"t\\u0073"', '"user\\u0000"', '"\\u005f_proto__"', '"p\\rice"']);
      return str();
    };
    const trailing = () => (rnd() < bad ? ',' : '');
    const value = (d: number): string => {
      const r = rnd();
      if (r < 0.25) return num();
      if (r < 0.5) return str();
      if (r < 0.6) return either(LITS, BAD_LITS);
      if (d > 4) return '1';
      if (r < 0.8) return `[${Array.from({ length: Math.floor(rnd() * 4) }, () => ws() + value(d + 1) + ws()).join(',')}${trailing()}]`;
      return object(d + 1);
    };
    const object = (d: number): string => `{${Array.from({ length: Math.floor(rnd() * 7) }, () => `${ws()}${key()}${ws()}:${ws()}${value(d)}${ws()}`).join(',')}${trailing()}}`;
    const mutate = (s: string) => {
      const at = Math.floor(rnd() * (s.length + 1));
      const c = pick(['', '"', '\\', ',', '}', '{', ']', '[', ':', ' ', '-', '.', 'e', '0', '\u0000', 'é', 'x', 'u', '\ud800', '\udc00']);
      const r = rnd();
      return r < 0.33 ? s.slice(0, at) + c + s.slice(at + 1) : r < 0.66 ? s.slice(0, at) + c + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
    };
    const enc = new TextEncoder();
    const out: unknown[] = [];
    const seen = { accepted: 0, rejected: 0, deep: 0, invalidUtf8: 0, negZero: 0, escapedKey: 0 };
    for (let i = 0; i < LINES; i++) {
      bad = pick([0, 0, 0.005, 0.02, 0.2]);
      let s = ws() + object(0) + ws();
      if (rnd() < 0.005) {
        const d = 995 + Math.floor(rnd() * 10);
        s = `{"a":${'['.repeat(d)}${']'.repeat(d)},"userId":1}`;
      }
      if (rnd() < 0.005) s = pick(['[1]', '"x"', '1', 'null', 'true', '', ' ', '{"userId":1}{}', '{"userId":1} x']);
      for (let m = rnd() < 0.2 ? 1 + Math.floor(rnd() * 3) : 0; m > 0; m--) s = mutate(s);
      let bytes = enc.encode(s);
      if (rnd() < 0.03) {
        const ins = pick(INVALID_UTF8);
        const at = Math.floor(rnd() * (bytes.length + 1));
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...ins, ...bytes.subarray(at)]);
      }
      if (rnd() < 0.02) bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes]);
      const fields = NAMES.filter(() => rnd() < 0.5);
      // Inside a larger buffer, with bytes either side that would change the verdict if read.
      const pad = Math.floor(rnd() * 3);
      const buf = new Uint8Array(bytes.length + 2 * pad).fill(0x7b);
      buf.set(bytes, pad);
      const ok = scanFields(buf, pad, pad + bytes.length, fields, fields.map((f) => enc.encode(f)), MAX_RECORD_NESTING, out);
      // What the whole-record path does with the line: decode it (U+FFFD for invalid UTF-8), parse it.
      const text = Buffer.from(bytes).toString('utf8');
      let parsed: unknown;
      let parses = true;
      try {
        parsed = JSON.parse(text);
      } catch {
        parses = false;
      }
      const deep = parses && tooDeepAt(text, MAX_RECORD_NESTING) >= 0;
      const good = parses && !deep && parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
      if (deep) seen.deep++;
      if (!ok) {
        seen.rejected++;
        continue;
      }
      seen.accepted++;
      if (!good) expect.fail(`accepted a line JSON.parse rejects: ${JSON.stringify(text)}`);
      if (text.includes('\ufffd')) seen.invalidUtf8++;
      if (/"\\u/.test(text)) seen.escapedKey++;
      const rec = parsed as Record<string, unknown>;
      for (let j = 0; j < fields.length; j++) {
        const f = fields[j]!;
        const want = Object.hasOwn(rec, f) ? rec[f] : MISSING;
        if (Object.is(want, -0)) seen.negZero++;
        if (!same(want, out[j])) expect.fail(`field ${JSON.stringify(f)} of ${JSON.stringify(text)}: JSON.parse gives ${String(want)}, the scanner ${String(out[j])}`);
      }
    }
    // The generator reaches what it means to (so the checks above ran on those cases).
    expect(seen.accepted).toBeGreaterThan(LINES / 3);
    expect(seen.rejected).toBeGreaterThan(LINES / 5);
    expect(seen.deep).toBeGreaterThan(0);
    expect(seen.invalidUtf8).toBeGreaterThan(0);
    expect(seen.negZero).toBeGreaterThan(0);
    expect(seen.escapedKey).toBeGreaterThan(0);
  });
});
