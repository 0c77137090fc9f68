// `code` params: a JavaScript function body with named params in scope, for
// logic no expression can say. Unlike expressions this is full JavaScript;
// we only check syntax (with positions in the user's text) and compile it.
import { parse, type Options } from 'acorn';
import { validateParams } from './options.js';
import { ExpressionError, problemAt, problemFromAcorn, type ExprProblem } from './problem.js';

/** How a `code` body parses on its own (event-fields.ts reads bodies the same way). */
export const BODY_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowReturnOutsideFunction: true,
};

/** Syntax check of a function body with `params` in scope; null when it is valid. */
export function checkCode(src: string, params: string[]): ExprProblem | null {
  validateParams(params);
  if (typeof src !== 'string') return { message: 'code must be a string', line: 1, column: 1 };
  // First the body on its own: this is what catches text like `} {` that
  // would only parse by escaping from the wrapper below.
  try {
    parse(src, BODY_OPTIONS);
  } catch (err) {
    if (err instanceof RangeError) return problemAt(src, 0, 'code is too deeply nested');
    return problemFromAcorn(err, src);
  }
  // Then inside a real function with the params, which is how it will run:
  // this catches redeclaring a param with let/const and `new.target` rules.
  const prefix = `(function (${params.join(', ')}) {\n`;
  try {
    parse(`${prefix}${src}\n})`, { ecmaVersion: 'latest', sourceType: 'script' });
  } catch (err) {
    if (err instanceof RangeError) return problemAt(src, 0, 'code is too deeply nested');
    return problemFromAcorn(err, src, prefix.length);
  }
  return null;
}

/** `new Function(...params, src)`, after checkCode; throws ExpressionError on syntax errors. */
export function compileCode(src: string, params: string[]): (...args: any[]) => unknown {
  const problem = checkCode(src, params);
  if (problem) throw new ExpressionError(problem);
  try {
    return new Function(...params, src) as (...args: any[]) => unknown;
  } catch (err) {
    // acorn and the engine should agree; if the engine still refuses, report
    // it in the same shape (the engine gives no position).
    if (err instanceof SyntaxError) throw new ExpressionError({ message: err.message, line: 1, column: 1 });
    throw err;
  }
}
