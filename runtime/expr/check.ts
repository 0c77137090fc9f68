// Non-throwing queries over an expression, for editors and validators.
import type { ExprOptions } from './options.js';
import { analyzeExpression } from './parse.js';
import type { ExprProblem } from './problem.js';

/** The first problem in the expression, or null when it is valid. */
export function checkExpression(src: string, opts?: ExprOptions): ExprProblem | null {
  const analysis = analyzeExpression(src, opts);
  return analysis.ok ? null : analysis.problem;
}

/**
 * Top-level fields of the `fieldsOf` param that the expression reads: free
 * identifiers (rewritten to field reads) plus explicit `event.x` /
 * `event['x']`. Sorted, unique; [] if the expression is invalid.
 */
export function referencedFields(src: string, opts?: ExprOptions): string[] {
  const analysis = analyzeExpression(src, opts);
  return analysis.ok ? analysis.fields : [];
}
