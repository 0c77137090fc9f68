// Problem reporting shared by expression and code checking. Positions are
// always reported against the user's own source string (1-based), never
// against any wrapper text we parse it inside.
import { getLineInfo } from 'acorn';

export interface ExprProblem {
  message: string;
  /** 1-based line within the source string. */
  line: number;
  /** 1-based column (UTF-16 code units) within that line. */
  column: number;
}

/** Thrown by the compile functions; `.problem` carries the structured location. */
export class ExpressionError extends Error {
  readonly problem: ExprProblem;

  constructor(problem: ExprProblem) {
    super(`${problem.message} (line ${problem.line}, column ${problem.column})`);
    this.name = 'ExpressionError';
    this.problem = problem;
  }
}

/** Builds a problem located at a 0-based character offset into `src`. */
export function problemAt(src: string, offset: number, message: string): ExprProblem {
  const clamped = Math.max(0, Math.min(offset, src.length));
  // acorn's own line splitter, so \r\n, \u2028 etc. count exactly as the parser counts them.
  const { line, column } = getLineInfo(src, clamped);
  return { message, line, column: column + 1 };
}

interface AcornSyntaxError extends SyntaxError {
  pos: number;
}

function isAcornError(err: unknown): err is AcornSyntaxError {
  return err instanceof SyntaxError && typeof (err as Partial<AcornSyntaxError>).pos === 'number';
}

/**
 * Converts an acorn SyntaxError into a problem. `shift` is how many characters
 * of wrapper text precede the user's source in what acorn actually parsed.
 * Anything that is not an acorn error is a bug in this module and is rethrown.
 */
export function problemFromAcorn(err: unknown, src: string, shift = 0): ExprProblem {
  if (!isAcornError(err)) throw err;
  // acorn appends " (line:column)"; our caller gets the location as fields instead.
  const message = err.message.replace(/\s*\(\d+:\d+\)$/, '');
  return problemAt(src, err.pos - shift, message);
}
