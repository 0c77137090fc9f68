// Reading a pipeline file: text → JSON (with line and column on syntax errors) → migrated,
// validated pipeline. Shared by the CLI and, later, the editor's host.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import { tooDeepAt } from '../format/nesting.js';
import type { Problem } from '../format/problems.js';
import { type Pipeline, validatePipeline } from '../format/validate.js';

export interface Loaded {
  readonly path: string;
  readonly text: string | null;
  readonly problems: readonly Problem[];
  readonly pipeline: Pipeline | null;
  /** Resolves a path param against the pipeline file's folder. */
  readonly resolvePath: (p: string) => string;
}

/**
 * A JSON syntax error with its line and column. JSON.parse's message has no position on every
 * Node version, so the position comes from jsonc-parser (the parser VS Code uses for JSON).
 */
export function jsonSyntaxProblem(text: string, err: unknown): Problem {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return { nodeId: null, path: '$', message: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  const before = text.slice(0, first.offset).split('\n');
  const what = printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return { nodeId: null, path: '$', message: `not valid JSON: ${what} (line ${before.length}, column ${before[before.length - 1]!.length + 1})` };
}

/**
 * Pipeline files nest a few levels; the parsers and validators after JSON.parse recurse, so a
 * document nested deeper than this (200,000 `[`) is refused up front with a message instead of
 * overflowing their stack.
 */
export const MAX_NESTING = 256;

/** A problem at the first place the text nests deeper than MAX_NESTING. */
export function nestingProblem(text: string): Problem | null {
  const at = tooDeepAt(text, MAX_NESTING);
  if (at < 0) return null;
  const before = text.slice(0, at).split('\n');
  return { nodeId: null, path: '$', message: `nested more than ${MAX_NESTING} levels deep (line ${before.length}, column ${before[before.length - 1]!.length + 1}); a pipeline file is never that deep` };
}

/** Text of a pipeline file → validated pipeline, or the problems (never a thrown parser error). */
export function loadPipelineText(text: string): { problems: readonly Problem[]; pipeline: Pipeline | null } {
  // A UTF-8 byte order mark (some Windows editors write one) is not part of the JSON.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const deep = nestingProblem(body);
  if (deep) return { problems: [deep], pipeline: null };
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    return { problems: [jsonSyntaxProblem(body, err)], pipeline: null };
  }
  return validatePipeline(doc);
}

export async function loadPipelineFile(path: string): Promise<Loaded> {
  const abs = resolve(path);
  const dir = dirname(abs);
  const resolvePath = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const base = { path: abs, resolvePath };
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (err as Error).message;
    return { ...base, text: null, problems: [{ nodeId: null, path: '$', message: `cannot read ${path}: ${why}` }], pipeline: null };
  }
  const { problems, pipeline } = loadPipelineText(text);
  return { ...base, text, problems, pipeline };
}
