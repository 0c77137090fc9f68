// Turns schema-library issues into problems with JSON paths and messages a person can act on.
import type { z } from 'zod';
import { childSchema, objectShape } from './schema-walk.js';
import { closest, jsonPath, type Problem } from './problems.js';

function schemaAt(schema: z.ZodType, root: unknown, path: readonly PropertyKey[]): { schema: z.ZodType | null; value: unknown } {
  let s: z.ZodType | null = schema;
  let v: unknown = root;
  for (const seg of path) {
    if (s === null || v === null || typeof v !== 'object') return { schema: null, value: undefined };
    s = childSchema(s, v, seg as string | number);
    v = (v as Record<string, unknown>)[seg as string];
  }
  return { schema: s, value: v };
}

function cleanMessage(issue: z.core.$ZodIssue): string {
  const m = issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `required: ${m.replace(/, received undefined$/, '')}`;
  if (issue.code === 'invalid_value' && 'values' in issue) return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return m;
}

/**
 * @param what noun for unknown keys at the top of `root` ("param" for node params, "field" elsewhere)
 */
export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  root: unknown,
  base: string,
  nodeId: string | null,
  what = 'field',
): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const at = schemaAt(schema, root, issue.path);
      const known = at.schema ? Object.keys(objectShape(at.schema) ?? {}) : [];
      for (const key of issue.keys) {
        const noun = issue.path.length === 0 ? what : 'field';
        const hint = closest(key, known);
        const list = known.length > 0 ? ` (known: ${known.join(', ')})` : '';
        out.push({ nodeId, path: jsonPath(base, [...issue.path, key]), message: `unknown ${noun} '${key}'${hint ? `; did you mean '${hint}'?` : list}` });
      }
      continue;
    }
    out.push({ nodeId, path: jsonPath(base, issue.path), message: cleanMessage(issue) });
  }
  return out;
}
