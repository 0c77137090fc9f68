// Reading a file's text through the runtime's readers, for the reader tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Chunk } from '../../runtime/connectors/files/readers.js';

/** `text` written to a new file in a fresh temporary folder; its path. */
export function file(text: string, name = 'f'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tributary-read-')), name);
  writeFileSync(path, text);
  return path;
}

/** Every chunk a reader yields, concatenated. */
export async function all(chunks: AsyncGenerator<Chunk>): Promise<Chunk> {
  const out: Chunk = { recs: [], lines: [], errors: [] };
  for await (const c of chunks) {
    out.recs.push(...c.recs);
    out.lines.push(...c.lines);
    out.errors.push(...c.errors);
  }
  return out;
}
