import { describe, expect, it } from 'vitest';
import { checkCode, compileCode, ExpressionError } from '../../runtime/expr/index.js';

describe('code', () => {
  it('accepts a function body with return and the params in scope', () => {
    expect(checkCode('const total = event.price * 2;\nreturn { ...event, total };', ['event', 'ctx'])).toBeNull();
  });

  it('compiles to a working function', () => {
    const f = compileCode('if (event.n > ctx.limit) return null;\nreturn event.n * 2;', ['event', 'ctx']);
    expect(f({ n: 3 }, { limit: 10 })).toBe(6);
    expect(f({ n: 30 }, { limit: 10 })).toBeNull();
  });

  it('reports syntax errors with 1-based line and column, without the acorn suffix', () => {
    expect(checkCode('let x = 1;\nreturn x +;', ['event'])).toEqual({
      message: 'Unexpected token',
      line: 2,
      column: 11,
    });
    expect(checkCode('return "abc', ['event'])).toEqual({
      message: 'Unterminated string constant',
      line: 1,
      column: 8,
    });
  });

  it('rejects text that would only parse by escaping the function', () => {
    expect(checkCode('}\nfunction g() {', ['event'])).toMatchObject({ line: 1, column: 1 });
  });

  it('reports redeclaring a param, located in the user source', () => {
    expect(checkCode('\n  let event = 1;', ['event'])).toEqual({
      message: "Identifier 'event' has already been declared",
      line: 2,
      column: 7,
    });
  });

  it('throws ExpressionError from compileCode on syntax errors', () => {
    expect(() => compileCode('return )', ['event'])).toThrow(ExpressionError);
    try {
      compileCode('\n\nreturn )', ['event']);
    } catch (err) {
      expect((err as ExpressionError).problem).toMatchObject({ line: 3, column: 8 });
    }
  });

  it('rejects invalid param names', () => {
    expect(() => checkCode('return 1', ['not valid'])).toThrow(TypeError);
  });
});
