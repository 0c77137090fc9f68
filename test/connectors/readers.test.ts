import { describe, expect, it } from 'vitest';
import { readCsv, readJsonLines } from '../../runtime/connectors/files/readers.js';
import { all, file } from '../support/readers.js';



describe('JSON Lines reader', () => {
  it('reads objects with their line numbers; skips blank lines; handles CRLF and a missing final newline', async () => {
    const r = await all(readJsonLines(file('{"a":1}\r\n\n  \n{"a":2}\n{"a":3}')));
    expect(r.recs).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    expect(r.lines).toEqual([1, 4, 5]);
    expect(r.errors).toEqual([]);
  });

  it('reports malformed lines and non-objects with line numbers, and goes on', async () => {
    const r = await all(readJsonLines(file('{"a":1}\n{"a":\n[1,2]\n"s"\n{"a":5}\n')));
    expect(r.recs).toEqual([{ a: 1 }, { a: 5 }]);
    expect(r.errors.map((e) => [e.line, e.message.split(':')[0], e.text])).toEqual([
      [2, 'malformed JSON', '{"a":'],
      [3, 'expected a JSON object', '[1,2]'],
      [4, 'expected a JSON object', '"s"'],
    ]);
  });

  it('splits a large file into chunks without losing lines across read buffers', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(i % 97) }));
    const r = await all(readJsonLines(file(rows.join('\n'))));
    expect(r.recs).toHaveLength(20_000);
    expect((r.recs as { i: number }[]).every((x, i) => x.i === i)).toBe(true);
    expect(r.lines.at(-1)).toBe(20_000);
  });
});

describe('CSV reader', () => {
  it('uses the header for field names and turns numbers into numbers', async () => {
    const r = await all(readCsv(file('id,name,price\np1,"Mug, large",12.5\np2,Pen,3\n'), ','));
    expect(r.recs).toEqual([
      { id: 'p1', name: 'Mug, large', price: 12.5 },
      { id: 'p2', name: 'Pen', price: 3 },
    ]);
    expect(r.lines).toEqual([2, 3]);
  });

  it('reports a row with the wrong number of fields and goes on', async () => {
    const r = await all(readCsv(file('a;b\n1;2\n3;4;5\n6;7\n'), ';'));
    expect(r.recs).toEqual([
      { a: 1, b: 2 },
      { a: 6, b: 7 },
    ]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.line).toBe(3);
    expect(r.errors[0]!.message).toMatch(/record/i);
  });
});
