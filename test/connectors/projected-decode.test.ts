// Decoding JSON Lines keeping only some fields (a file source feeding parallel keyed windows):
// the scanner must give, for every line, exactly what JSON.parse gives for the kept fields, and
// send every line JSON.parse rejects to errors with JSON.parse's own message.
import { describe, expect, it } from 'vitest';
import { decodeJsonlSegment } from '../../runtime/connectors/decode/jsonl-segment.js';
import { decodeProjected, unproject } from '../../runtime/connectors/decode/projected.js';
import { fromColumns, toColumns } from '../../runtime/engine/parallel/columns.js';

const FIELDS = ['a', 'k', 'price', 'ts', 'é'];

/** The reference: whole records parsed, cut down to FIELDS (records with a bad `ts` kept whole). */
function reference(text: string, ts: string | null): { recs: unknown[]; lines: number[]; errors: unknown[] } {
  const c = decodeJsonlSegment(new TextEncoder().encode(text), 1);
  const recs = c.recs.map((r) => {
    const rec = r as Record<string, unknown>;
    const t = ts === null ? 0 : rec[ts];
    if (ts !== null && !(typeof t === 'number' ? Math.abs(t) <= 8.64e15 : typeof t === 'string' && Number.isFinite(Date.parse(t)))) return rec;
    const o: Record<string, unknown> = {};
    for (const f of FIELDS) if (Object.hasOwn(rec, f)) o[f] = rec[f];
    return o;
  });
  return { recs, lines: c.lines, errors: c.errors };
}

function projected(text: string, ts: string | null) {
  const p = decodeProjected(new TextEncoder().encode(text), 1, { fields: FIELDS, ts });
  // As the pool receives it: structured clone, then records rebuilt.
  const c = unproject(structuredClone(p));
  return { recs: c.recs, lines: [...c.lines], errors: c.errors };
}

const TRICKY = [
  '{"a":1,"k":"x","price":29.99,"ts":1767225600000}',
  '{"ts":5,"price":-0,"k":"-0"}',
  '{"ts":5,"price":-0.0}',
  '{"ts":5,"price":1e3,"a":1E-2}',
  '{"ts":5,"price":123456789012345678901234567890}',
  '{"ts":5,"price":0.1000000000000000055511151231257827,"a":9007199254740993}',
  '{"ts":5,"price":4.35,"a":0.000001,"k":1234567.891}',
  '{"ts":5,"price":2.2250738585072014e-308,"a":1.7976931348623157e308,"k":5e-324}',
  '{"ts":5,"k":"a\\"b\\\\c\\/d\\n\\u00e9\\ud834\\udd1e"}',
  '{"ts":5,"k":"naïve ☃ 𝄞","é":"ü"}',
  '{"ts":5,"\\u006b":"escaped key","k2":1}',
  '{"ts":5,"k":1,"k":2}',
  '{"ts":5,"a":{"k":1,"x":[1,{"y":"}"}]},"k":[true,false,null]}',
  '  {"ts" : 5 , "k" :\t"spaced" }  ',
  '{"ts":"2026-01-01T00:00:00Z","k":"iso"}',
  '{"ts":"not a time","k":"bad ts","other":1}',
  '{"k":"no ts","other":[1,2]}',
  '{"ts":9e15,"k":"beyond a Date"}',
  '{"ts":5}',
  '{}',
  '{"ts":5,"k":"x",}',
  "{'ts':5}",
  '{"ts":05}',
  '{"ts":5,"k":"tab\there"}',
  '{"ts":5,"k":"\\x"}',
  '{"ts":5,"k":"\\u12"}',
  '{"ts":NaN}',
  '{"ts":5,"k":tru}',
  '{"ts":5}x',
  '{"ts":-}',
  '{"ts":1.}',
  '{"ts":1e}',
  '[1,2]',
  '"s"',
  'null',
  '',
  '   \t',
  '\u00a0\u2028',
  '\uFEFF{"ts":5}',
  `{"ts":5,"a":${'['.repeat(1001)}${']'.repeat(1001)}}`,
  `{"ts":5,"a":${'['.repeat(998)}${']'.repeat(998)}}`,
  '{"ts":5,"k":"crlf"}\r',
  '{"ts":5,"__proto__":{"x":1},"k":"proto"}',
  '{"ts":5,"k":"unterminated}',
];

describe('projected JSON Lines decoding', () => {
  it('gives what JSON.parse gives for the kept fields, and its errors, on tricky lines', () => {
    for (const ts of ['ts', null]) {
      const text = TRICKY.join('\n');
      const got = projected(text, ts);
      const want = reference(text, ts);
      expect(got.errors).toEqual(want.errors);
      expect(got.lines).toEqual(want.lines);
      expect(got.recs).toEqual(want.recs);
      // toEqual does not tell -0 from 0.
      for (let i = 0; i < want.recs.length; i++) {
        for (const f of FIELDS) {
          const w = (want.recs[i] as any)[f];
          if (typeof w === 'number') expect(Object.is((got.recs[i] as any)[f], w), `line ${want.lines[i]} field ${f}`).toBe(true);
        }
      }
    }
  });

  it('agrees with JSON.parse on random records and random corruptions of them', () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
    const value = (d: number): unknown => {
      const r = rnd();
      if (r < 0.25) return pick([0, -0, 1, -1, 29.99, 1e21, 1.5e-7, 123456.789, 2 ** 53 + 2, -0.001, Math.PI, 1767225600000]) * (rnd() < 0.1 ? rnd() : 1);
      if (r < 0.5) return pick(['', 'u123', 'é☃', '"q"', 'a\\b', '\n\t', '\u0001', '𝄞', '}', ']', ',']);
      if (r < 0.6) return pick([true, false, null]);
      if (r < 0.8 && d < 3) return Array.from({ length: Math.floor(rnd() * 3) }, () => value(d + 1));
      if (d < 3) return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 3) }, () => [pick(FIELDS.concat(['z', 'q'])), value(d + 1)]));
      return 7;
    };
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const obj: Record<string, unknown> = {};
      for (let f = Math.floor(rnd() * 7); f > 0; f--) obj[pick(FIELDS.concat(['z', 'q', 'ts', 'ts']))] = value(0);
      let s = JSON.stringify(obj);
      if (rnd() < 0.3) {
        // A corruption: drop, duplicate or replace one character.
        const at = Math.floor(rnd() * s.length);
        const c = pick(['', s[at] ?? '', '"', '\\', ',', '}', '{', ':', ' ', '-', '.', 'e', '0', '\u0000']);
        s = rnd() < 0.5 ? s.slice(0, at) + c + s.slice(at + 1) : s.slice(0, at) + c + s.slice(at);
      }
      lines.push(s);
    }
    const text = lines.join('\n');
    for (const ts of ['ts', null]) {
      const got = projected(text, ts);
      const want = reference(text, ts);
      expect(got.errors.length).toBeGreaterThan(100);
      expect(got.errors).toEqual(want.errors);
      expect(got.lines).toEqual(want.lines);
      expect(got.recs).toEqual(want.recs);
    }
  });
});

describe('record columns', () => {
  it('rebuild records with the chosen fields, numbers packed, missing fields still missing', () => {
    const recs = [
      { a: 1, b: 'x', c: { d: 1 }, e: 5 },
      { a: 2.5, c: null, e: 6 },
      { a: -0, b: undefined, e: 7 },
    ];
    const cols = toColumns(recs, ['a', 'b', 'c']);
    expect(cols.cols[0]!.k).toBe('num');
    expect(cols.cols[1]!.k).toBe('any');
    const back = fromColumns(structuredClone(cols));
    expect(back).toEqual([{ a: 1, b: 'x', c: { d: 1 } }, { a: 2.5, c: null }, { a: -0, b: undefined }]);
    expect('b' in back[1]!).toBe(false);
    expect('b' in back[2]!).toBe(true);
    expect('c' in back[2]!).toBe(false);
    expect(Object.is(back[2]!.a, -0)).toBe(true);
  });
});
