// Readers for source.file: a file becomes chunks of parsed records, each with its line number,
// and the lines that did not parse, each with its line number and the reason.
import { createReadStream } from 'node:fs';
import { parse as parseCsv } from 'csv-parse';

export interface LineError {
  readonly line: number;
  readonly message: string;
  readonly text: string;
}

export interface Chunk {
  readonly recs: unknown[];
  readonly lines: number[];
  readonly errors: LineError[];
}

const CHUNK = 4096;
const READ_BUFFER = 1 << 20;

function newChunk(): Chunk {
  return { recs: [], lines: [], errors: [] };
}

/** JSON Lines: one JSON object per line; blank lines are skipped. */
export async function* readJsonLines(path: string): AsyncGenerator<Chunk> {
  let chunk = newChunk();
  let rest = '';
  let line = 0;
  const take = (text: string) => {
    line++;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      chunk.errors.push({ line, message: `malformed JSON: ${(err as Error).message}`, text });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      chunk.errors.push({ line, message: 'expected a JSON object', text });
      return;
    }
    chunk.recs.push(value);
    chunk.lines.push(line);
  };
  for await (const data of createReadStream(path, { encoding: 'utf8', highWaterMark: READ_BUFFER })) {
    const text = rest + (data as string);
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      take(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
      if (chunk.recs.length + chunk.errors.length >= CHUNK) {
        yield chunk;
        chunk = newChunk();
      }
    }
    rest = text.slice(start);
  }
  if (rest !== '') take(rest);
  if (chunk.recs.length + chunk.errors.length > 0) yield chunk;
}

/** CSV with a header line; values that look like numbers become numbers. */
export async function* readCsv(path: string, delimiter: string): AsyncGenerator<Chunk> {
  let chunk = newChunk();
  const parser = createReadStream(path, { highWaterMark: READ_BUFFER }).pipe(
    parseCsv({ columns: true, cast: true, delimiter, info: true, skip_records_with_error: true, bom: true }),
  );
  // Skipped records arrive as events between data; keep them in arrival order in the chunk.
  parser.on('skip', (err: Error & { lines?: number; record?: unknown }) => {
    chunk.errors.push({ line: err.lines ?? 0, message: err.message, text: Array.isArray(err.record) ? err.record.join(delimiter) : '' });
  });
  for await (const item of parser as AsyncIterable<{ record: Record<string, unknown>; info: { lines: number } }>) {
    chunk.recs.push(item.record);
    chunk.lines.push(item.info.lines);
    if (chunk.recs.length + chunk.errors.length >= CHUNK) {
      yield chunk;
      chunk = newChunk();
    }
  }
  if (chunk.recs.length + chunk.errors.length > 0) yield chunk;
}
