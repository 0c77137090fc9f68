// `tributary format`: what the editor's Save writes, for files edited by hand.
import { readFile, writeFile } from 'node:fs/promises';
import { serializePipeline } from '../format/serialize.js';
import { jsonSyntaxProblem, nestingProblem } from '../host/load.js';
import { formatProblem } from '../format/problems.js';

export async function formatFile(path: string, check: boolean): Promise<{ ok: boolean; problem?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, problem: `cannot read: ${(err as Error).message}` };
  }
  // A byte order mark is dropped: the canonical form has none.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const deep = nestingProblem(text);
  if (deep) return { ok: false, problem: formatProblem(deep) };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: formatProblem(jsonSyntaxProblem(text, err)) };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, problem: 'not a JSON object' };
  const canonical = serializePipeline(doc as Record<string, unknown>);
  if (canonical === text) return { ok: true };
  if (check) return { ok: false, problem: 'not in canonical form (run `tributary format` on it)' };
  await writeFile(path, canonical);
  return { ok: true };
}
