// Hostile CSV and JSON Lines: every line after the header is a record, an error (with its line
// number and raw text) or blank — rows out + errors = rows in, whatever the quoting does.
import { describe, expect, it } from 'vitest';
import { MAX_SPAN_LINES } from '../../runtime/connectors/files/csv.js';
import { readCsv, readJsonLines } from '../../runtime/connectors/files/readers.js';
import { all, file } from '../support/readers.js';



describe('CSV quoting errors lose no rows', () => {
  it('the issue\'s 5-row file: 4 rows and 1 error with its line and raw text', async () => {
    const r = await all(readCsv(file('id,name,n\n1,a,1\n2,"x"y,2\n3,c,3\n4,"ok, comma",4\n5,e,5\n'), ','));
    expect(r.recs).toEqual([
      { id: 1, name: 'a', n: 1 },
      { id: 3, name: 'c', n: 3 },
      { id: 4, name: 'ok, comma', n: 4 },
      { id: 5, name: 'e', n: 5 },
    ]);
    expect(r.lines).toEqual([2, 4, 5, 6]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 3, text: '2,"x"y,2' });
    expect(r.errors[0]!.message).toMatch(/after the closing quote of field 2/);
  });

  it('an unclosed quote costs its own line only; a quoted field may still span lines', async () => {
    const r = await all(readCsv(file('id,name,n\n1,a,1\n2,"unclosed,2\n3,c,3\n4,"multi\nline",4\n5,e,5'), ','));
    expect(r.recs).toEqual([
      { id: 1, name: 'a', n: 1 },
      { id: 3, name: 'c', n: 3 },
      { id: 4, name: 'multi\nline', n: 4 },
      { id: 5, name: 'e', n: 5 },
    ]);
    expect(r.lines).toEqual([2, 4, 5, 7]);
    expect(r.errors.map((e) => [e.line, e.text])).toEqual([[3, '2,"unclosed,2']]);
  });

  it('a quote left open to the end of the file does not swallow the rows after it', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},v${i}`);
    const r = await all(readCsv(file(`a,b\n0,"open\n${rows.join('\n')}\n`), ','));
    expect(r.recs).toHaveLength(50);
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([[2, expect.stringMatching(/never closed/)]]);
  });

  it(`a quoted field spans at most ${MAX_SPAN_LINES} lines`, async () => {
    const long = Array.from({ length: MAX_SPAN_LINES + 5 }, (_, i) => `${i},x`).join('\n');
    const r = await all(readCsv(file(`a,b\n1,"${long}"\n`), ','));
    expect(r.errors[0]).toMatchObject({ line: 2 });
    expect(r.errors[0]!.message).toMatch(/does not close within/);
    // Every following line is read on its own: the last one carries the stray closing quote.
    expect(r.recs.length + r.errors.length).toBe(MAX_SPAN_LINES + 5);
  });

  it('hostile mixes: rows out + errors = rows in, each error with its line and raw text', async () => {
    const kinds = ['1,plain', '"2",quoted', '3,"in""side"', '4,"x"y', '5,a"b', '6,"open', '7', '8,a,b', '"9', '10,""', ',', '"",""', '11,"tail"x'];
    let seed = 7;
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      lines.push(kinds[seed % kinds.length]!);
    }
    const r = await all(readCsv(file(`a,b\n${lines.join('\n')}\n`), ','));
    expect(r.recs.length + r.errors.length).toBe(lines.length);
    for (const e of r.errors) {
      expect(e.text).toBe(lines[e.line - 2]);
      expect(e.message.length).toBeGreaterThan(10);
    }
    for (let i = 0; i < r.recs.length; i++) expect(r.lines[i]).toBeGreaterThan(1);
  });

  it('strips a UTF-8 BOM and handles CRLF', async () => {
    const r = await all(readCsv(file('\uFEFFid,v\r\n1,"a\r\nb"\r\n2,c\r\n'), ','));
    expect(r.recs).toEqual([{ id: 1, v: 'a\r\nb' }, { id: 2, v: 'c' }]);
  });
});

describe('CSV header', () => {
  it('refuses a duplicate column name, naming it', async () => {
    await expect(all(readCsv(file('id,price,price\n1,2,3\n'), ','))).rejects.toThrow(/duplicate column "price" in the CSV header \(columns 2 and 3\)/);
  });
});

describe('JSON Lines', () => {
  it('strips a UTF-8 BOM as the CSV reader does', async () => {
    const r = await all(readJsonLines(file('\uFEFF{"a":1}\n{"a":2}\n')));
    expect(r.recs).toEqual([{ a: 1 }, { a: 2 }]);
    expect(r.errors).toEqual([]);
  });

  it('hostile lines: rows out + errors = rows in', async () => {
    const kinds = ['{"a":1}', '{"a":', '[1]', '"s"', 'null', '{"a":1e400}', '{"a":"\\ud800"}', '{}', '{"__proto__":{"x":1}}', `${'['.repeat(5000)}`];
    const lines = Array.from({ length: 2000 }, (_, i) => kinds[i % kinds.length]!);
    const r = await all(readJsonLines(file(lines.join('\n'))));
    expect(r.recs.length + r.errors.length).toBe(lines.length);
  });
});
