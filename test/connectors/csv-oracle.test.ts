// The CSV reader against csv-parse (the parser it replaced, with the options source.file used) on
// random valid RFC 4180 files: same records, same values, whatever the quoting, line endings and
// read-chunk boundaries.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type Chunk, readCsv } from '../../runtime/connectors/files/readers.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-csv-oracle-'));

async function read(path: string, delimiter: string, buffer: number): Promise<Chunk> {
  const out: Chunk = { recs: [], lines: [], errors: [] };
  for await (const c of readCsv(path, delimiter, buffer)) {
    out.recs.push(...c.recs);
    out.lines.push(...c.lines);
    out.errors.push(...c.errors);
  }
  return out;
}

// A small deterministic generator (mulberry32) so a failure reproduces from its seed.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// No hex: csv-parse read "0x1b" as 0 (parseFloat); the reader keeps it a string (asserted below).
const PIECES = ['a', 'b', 'x y', ' ', '1', '-2', '3.5', '1e3', '007', '"', '\n', '\r\n', '\r', 'é', '😀', '', '.5', 'true'];

function field(r: () => number, delimiter: string): string {
  let v = '';
  const n = Math.floor(r() * 4);
  for (let k = 0; k < n; k++) v += r() < 0.1 ? delimiter : PIECES[Math.floor(r() * PIECES.length)]!;
  // A field holding a delimiter, quote or line break must be quoted; others are sometimes.
  const must = v.includes(delimiter) || v.includes('"') || v.includes('\n') || v.includes('\r');
  return must || r() < 0.2 ? `"${v.replaceAll('"', '""')}"` : v;
}

function csv(r: () => number, delimiter: string): string {
  const cols = 1 + Math.floor(r() * 4);
  const eol = r() < 0.5 ? '\n' : '\r\n';
  const header = Array.from({ length: cols }, (_, i) => `c${i}`).join(delimiter);
  const rows = Array.from({ length: Math.floor(r() * 30) }, () => {
    let row = Array.from({ length: cols }, () => field(r, delimiter)).join(delimiter);
    // A one-column row that is empty is a blank line; quote it so it stays a record.
    if (row === '') row = '""';
    return row;
  });
  return [header, ...rows].join(eol) + (r() < 0.7 ? eol : '');
}

describe('CSV reader matches csv-parse on valid files', () => {
  it('random files, delimiters and read-chunk sizes', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const delimiter = [',', ';', '\t', '|'][seed % 4]!;
      const text = csv(r, delimiter);
      const path = join(dir, `s${seed}.csv`);
      writeFileSync(path, text);
      const expected = parse(text, { columns: true, cast: true, delimiter, bom: true });
      // Tiny reads put chunk boundaries inside quotes, between CR and LF, and inside characters.
      for (const buffer of seed % 10 === 0 ? [1, 1 << 20] : [3, 7, 1 << 20]) {
        const got = await read(path, delimiter, buffer);
        expect({ seed, buffer, errors: got.errors, recs: got.recs }).toEqual({ seed, buffer, errors: [], recs: expected });
      }
    }
  });
});

describe('CSV reader: differences from csv-parse that keep data, and regressions', () => {
  const at = (text: string, delimiter = ',') => {
    const path = join(dir, `case-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(path, text);
    return read(path, delimiter, 1 << 20);
  };

  it('keeps CRLF inside a quoted field as written', async () => {
    expect((await at('id,v\r\n1,"a\r\nb"\r\n')).recs).toEqual([{ id: 1, v: 'a\r\nb' }]);
  });

  it('a row of empty fields separated by tabs is a record, not a blank line', async () => {
    const r = await at('a\tb\n1\t2\n\t\n3\t4\n', '\t');
    expect(r.recs).toEqual([{ a: 1, b: 2 }, { a: '', b: '' }, { a: 3, b: 4 }]);
    expect(r.lines).toEqual([2, 3, 4]);
  });

  it('a blank line in a one-column file is an empty value', async () => {
    expect((await at('a\n1\n\n \n2\n')).recs).toEqual([{ a: 1 }, { a: '' }, { a: ' ' }, { a: 2 }]);
  });

  it('numbers beyond a double stay text; hex stays text; any leading whitespace still reads as a number', async () => {
    expect((await at('a,b,c,d\n12E345,-1e400,0x1b,"\t-2"\n')).recs).toEqual([{ a: '12E345', b: '-1e400', c: '0x1b', d: -2 }]);
  });
});
