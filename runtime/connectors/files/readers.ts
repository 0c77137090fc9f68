// Readers for source.file: a file becomes chunks of parsed records, each with its line number,
// and the lines that did not parse, each with its line number and the reason.
import { createReadStream } from 'node:fs';
import { MAX_RECORD_NESTING, tooDeepAt } from '../../format/nesting.js';
import { castValue, contentLength, headerNames, parseRecord } from './csv.js';

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
    if (tooDeepAt(text, MAX_RECORD_NESTING) >= 0) {
      chunk.errors.push({ line, message: `nested more than ${MAX_RECORD_NESTING} levels deep; a record may nest at most that far (writing it as JSON would overflow the stack)`, text });
      return;
    }
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
  let bom = true;
  for await (const data of createReadStream(path, { encoding: 'utf8', highWaterMark: READ_BUFFER })) {
    let text = rest + (data as string);
    // A UTF-8 byte order mark (some editors write one) is not part of the first record.
    if (bom) {
      bom = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
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

/**
 * CSV with a header line (csv.ts has the quoting and recovery rules); values that look like
 * numbers become numbers. Every line after the header is a record, an error, or blank.
 */
export async function* readCsv(path: string, delimiter: string, readBuffer = READ_BUFFER): AsyncGenerator<Chunk> {
  let chunk = newChunk();
  let header: string[] | null = null;
  // Lines not yet consumed: pending[pos] is line number `first + pos` of the file.
  let pending: string[] = [];
  let pos = 0;
  let first = 1;
  let rest = '';
  let bom = true;
  const drain = (eof: boolean): void => {
    while (pos < pending.length) {
      const line = first + pos;
      const raw = pending[pos]!;
      const text = raw.slice(0, contentLength(raw));
      // A blank line is skipped, except in a one-column file after the header, where it is an
      // empty (or all-space) value: csv-parse read it so, and skipping it would drop a record.
      // A line holding a delimiter is a record of empty fields even when the delimiter is a tab.
      if (text.trim() === '' && !text.includes(delimiter) && (header === null || header.length !== 1)) {
        pos++;
        continue;
      }
      const r = parseRecord(pending, pos, delimiter, eof);
      if (r === null) return; // a quoted field runs on past the lines read so far
      if ('error' in r) {
        if (header === null) throw new Error(`line ${line}: cannot read the CSV header: ${r.error}`);
        chunk.errors.push({ line, message: `invalid CSV: ${r.error}`, text });
        pos++;
        continue;
      }
      pos = r.next;
      if (header === null) {
        header = headerNames(r.fields);
        continue;
      }
      if (r.fields.length !== header.length) {
        chunk.errors.push({ line, message: `invalid CSV: record has ${r.fields.length} fields, the header ${header.length}`, text });
        continue;
      }
      const rec: Record<string, unknown> = {};
      for (let k = 0; k < header.length; k++) rec[header[k]!] = castValue(r.fields[k]!);
      chunk.recs.push(rec);
      chunk.lines.push(line);
    }
  };
  for await (const data of createReadStream(path, { encoding: 'utf8', highWaterMark: readBuffer })) {
    let text = rest + (data as string);
    if (bom) {
      bom = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      pending.push(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
    drain(false);
    // Keep only what a record in progress still needs.
    first += pos;
    pending = pending.slice(pos);
    pos = 0;
    if (chunk.recs.length + chunk.errors.length >= CHUNK) {
      yield chunk;
      chunk = newChunk();
    }
  }
  if (rest !== '') pending.push(rest);
  drain(true);
  if (chunk.recs.length + chunk.errors.length > 0) yield chunk;
}
