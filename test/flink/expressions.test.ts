// One table of expression cases (expression-cases.json: an event, expressions over it and their
// results) that both implementations must pass: the embedded runtime's compiled JavaScript and the
// Flink job's Java evaluator, which gets the same checked AST the runtime compiles.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flinkTestClasses } from '../../runtime/cli/flink-build.js';
import { compileExpression } from '../../runtime/expr/index.js';
import { compileExpressionForFlink } from '../../runtime/format/flink.js';

interface Case {
  expr: string;
  result?: unknown;
  error?: string;
}
const table = JSON.parse(readFileSync(new URL('./expression-cases.json', import.meta.url), 'utf8')) as { event: unknown; cases: Case[] };

/** JSON has no undefined, NaN, ±Infinity or -0: tag them (as ExprCases.java does). */
function encode(v: unknown): unknown {
  if (v === undefined) return { $undefined: true };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { $number: 'NaN' };
    if (!Number.isFinite(v)) return { $number: v > 0 ? 'Infinity' : '-Infinity' };
    if (Object.is(v, -0)) return { $number: '-0' };
    return v;
  }
  if (Array.isArray(v)) return v.map(encode);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

/** Results as [{expr, result|error}], comparable with the table, key order included. */
const asText = (xs: { result?: unknown; error?: string }[]) => xs.map((x, i) => JSON.stringify({ expr: table.cases[i]!.expr, ...x }));

describe('expression cases shared by both implementations', () => {
  it('has enough cases to mean something', () => {
    expect(table.cases.length).toBeGreaterThanOrEqual(200);
  });

  it('the embedded runtime gives the table\'s answers', () => {
    const got = table.cases.map((c) => {
      try {
        return { result: encode(compileExpression(c.expr)(table.event)) };
      } catch (err) {
        return { error: (err as Error).message };
      }
    });
    expect(asText(got)).toEqual(asText(table.cases.map(({ result, error }) => (error !== undefined ? { error } : { result }))));
  });

  describe('the Flink job', () => {
    let cp = '';
    beforeAll(() => {
      cp = flinkTestClasses();
    }, 900_000);

    it('gives the table\'s answers from the exported AST', () => {
      const dir = mkdtempSync(join(tmpdir(), 'tributary-expr-cases-'));
      const input = table.cases.map((c) => ({ compiled: compileExpressionForFlink(c.expr), args: [encode(table.event)] }));
      writeFileSync(join(dir, 'cases.json'), JSON.stringify(input));
      const r = spawnSync('java', ['-cp', cp, 'dev.tributary.flink.ExprCases', join(dir, 'cases.json'), join(dir, 'results.json')], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { ok?: unknown; error?: string }[];
      const want = table.cases.map(({ result, error }) => (error !== undefined ? { error } : { result }));
      expect(asText(got.map((g) => (g.error !== undefined ? { error: g.error } : { result: g.ok })))).toEqual(asText(want));
    });
  });
});
