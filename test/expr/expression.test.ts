import { describe, expect, it } from 'vitest';
import {
  checkExpression,
  compileExpression,
  ExpressionError,
  referencedFields,
  type ExprProblem,
} from '../../runtime/expr/index.js';

const run = (src: string, event: unknown): unknown => compileExpression(src)(event);

/** The problem for an invalid expression; fails the test if it is valid. */
function problem(src: string, opts?: Parameters<typeof checkExpression>[1]): ExprProblem {
  const p = checkExpression(src, opts);
  expect(p, `expected a problem for ${JSON.stringify(src)}`).not.toBeNull();
  return p!;
}

describe('compiling expressions', () => {
  it('reads fields by bare name', () => {
    const f = compileExpression("price * quantity >= 100 && eventType == 'ADD_TO_CART'");
    expect(f({ price: 50, quantity: 2, eventType: 'ADD_TO_CART' })).toBe(true);
    expect(f({ price: 50, quantity: 1, eventType: 'ADD_TO_CART' })).toBe(false);
    expect(f({ price: 50, quantity: 2, eventType: 'VIEW' })).toBe(false);
  });

  it('reads nested fields and the whole record', () => {
    expect(run('user.id', { user: { id: 7 } })).toBe(7);
    expect(run('items[1].sku', { items: [{ sku: 'a' }, { sku: 'b' }] })).toBe('b');
    expect(run("attrs['content-type']", { attrs: { 'content-type': 'json' } })).toBe('json');
    expect(run('attrs[key]', { attrs: { x: 1 }, key: 'x' })).toBe(1);
    const e = { a: 1 };
    expect(run('event', e)).toBe(e);
    expect(run('event.a + a', e)).toBe(2);
  });

  it('does not rewrite property names, object keys or text inside strings', () => {
    expect(run('user.price', { user: { price: 3 }, price: 99 })).toBe(3);
    expect(run("'price * quantity' + price", { price: 1 })).toBe('price * quantity1');
    expect(run('"event.user" + "it\'s"', {})).toBe('event.user' + "it's");
    expect(run('{ price: quantity }', { price: 1, quantity: 2 })).toEqual({ price: 2 });
    expect(run("{ 'a b': 1, 2: x }", { x: 'y' })).toEqual({ 'a b': 1, 2: 'y' });
  });

  it('builds objects with spread and shorthand', () => {
    const out = run('{ ...event, total: price * quantity, price }', { price: 2, quantity: 3, id: 'x' });
    expect(out).toEqual({ price: 2, quantity: 3, id: 'x', total: 6 });
    expect(run('{ price }', { price: 5, other: 1 })).toEqual({ price: 5 });
    expect(run('[...tags, extra]', { tags: ['a', 'b'], extra: 'c' })).toEqual(['a', 'b', 'c']);
  });

  it('supports template literals with embedded fields', () => {
    expect(run('`${user.id}:${price * 2} price`', { user: { id: 'u1' }, price: 4 })).toBe('u1:8 price');
    expect(run('`a ${`b ${x}`} c`', { x: 1 })).toBe('a b 1 c');
    expect(run('`line\\n${x}`', { x: 'y' })).toBe('line\ny');
  });

  it('returns undefined through optional chaining on a missing nested field', () => {
    expect(run('user?.address?.city', {})).toBeUndefined();
    expect(run('user?.address.city', {})).toBeUndefined();
    expect(run('user?.address?.city', { user: { address: { city: 'Oslo' } } })).toBe('Oslo');
    expect(run("items?.[0]?.['sku']", {})).toBeUndefined();
    expect(run('(user?.name) ?? "anon"', {})).toBe('anon');
  });

  it('evaluates operators with JavaScript semantics', () => {
    expect(run('a % 3 + 2 ** 3', { a: 7 })).toBe(9);
    expect(run('-(-a)', { a: 4 })).toBe(4);
    expect(run('!flag', { flag: false })).toBe(true);
    expect(run('typeof x', { x: 'text' })).toBe('string');
    expect(run("'x' in attrs", { attrs: { x: 0 } })).toBe(true);
    expect(run('a ?? b', { b: 2 })).toBe(2);
    expect(run('a || b && c', { a: 0, b: 1, c: 'c' })).toBe('c');
    expect(run('n > 10 ? "big" : n > 5 ? "mid" : "small"', { n: 7 })).toBe('mid');
    expect(run('a !== undefined', {})).toBe(false);
    expect(run('(a + b) * c', { a: 1, b: 2, c: 3 })).toBe(9);
  });

  it('does not expose globals: unknown names are fields', () => {
    expect(run('Math', { Math: 'field' })).toBe('field');
    expect(run('globalThis', {})).toBeUndefined();
  });

  it('calls helpers', () => {
    expect(run('lower(name)', { name: 'ALICE' })).toBe('alice');
    expect(run('concat(upper(a), "-", length(tags))', { a: 'x', tags: [1, 2] })).toBe('X-2');
    expect(run('round(price * 1.1, 2)', { price: 10 })).toBe(11);
    expect(run('coalesce(nick, name, "?")', { name: 'n' })).toBe('n');
  });

  it('reads a field that shares a helper name when it is not called', () => {
    expect(run('length > 3', { length: 5 })).toBe(true);
    expect(run('length(length)', { length: 'abc' })).toBe(3);
  });

  it('normalises legacy octal literals so the strict compiled code accepts them', () => {
    expect(run('010 + 1', {})).toBe(9);
  });

  it('ignores comments', () => {
    expect(run('/* leading */ a + // trailing\n b // end', { a: 1, b: 2 })).toBe(3);
  });

  it('binds params in order, with fieldsOf choosing the record', () => {
    const f = compileExpression('match.add[0].price + key.length', { params: ['match', 'key'], fieldsOf: null });
    expect(f({ add: [{ price: 10 }] }, 'abc')).toBe(13);
    const g = compileExpression('price * factor', { params: ['row', 'factor'], fieldsOf: 'row' });
    expect(g({ price: 3 }, 2)).toBe(6);
  });

  it('defaults fieldsOf to null when the params do not include event', () => {
    expect(problem('x', { params: ['match'] }).message).toBe("unknown name 'x'");
  });

  it('lets a param shadow a helper name', () => {
    expect(compileExpression('lower + 1', { params: ['lower'], fieldsOf: null })(1)).toBe(2);
    expect(problem('lower(x)', { params: ['lower', 'x'], fieldsOf: null }).message).toMatch(/parameter/);
  });

  it('rejects invalid options as caller errors', () => {
    expect(() => checkExpression('x', { params: ['a b'] })).toThrow(TypeError);
    expect(() => checkExpression('x', { params: ['a'], fieldsOf: 'event' })).toThrow(TypeError);
  });

  it('throws ExpressionError carrying the problem', () => {
    let caught: unknown;
    try {
      compileExpression('price = 3');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
    const err = caught as ExpressionError;
    expect(err.problem).toEqual({ message: expect.stringContaining('assignment'), line: 1, column: 7 });
    expect(err.message).toContain('column 7');
  });

  it('runs a compiled expression over 1M records', () => {
    const f = compileExpression('price * quantity > 100');
    const records = Array.from({ length: 1000 }, (_, i) => ({ price: i, quantity: 2 }));
    let hits = 0;
    for (let n = 0; n < 1000; n++) {
      for (let i = 0; i < records.length; i++) if (f(records[i])) hits++;
    }
    expect(hits).toBe(1000 * (1000 - 51));
  });
});

describe('rejected constructs', () => {
  const cases: Array<[src: string, message: RegExp, column: number]> = [
    ['price = 3', /assignment is not allowed/, 7],
    ['price += 3', /assignment \('\+='\) is not allowed/, 7],
    ['a + b = 3', /assignment is not allowed/, 1],
    ['x++', /'\+\+' is not allowed/, 2],
    ['--x', /'--' is not allowed/, 1],
    ['delete user.id', /'delete' is not allowed/, 1],
    ['void 0', /'void' is not allowed/, 1],
    ['~x', /'~' is not allowed/, 1],
    ['a & 1', /operator '&' is not allowed/, 3],
    ['a instanceof B', /operator 'instanceof' is not allowed/, 3],
    ['a, b', /comma operator/, 2],
    ['this.x', /'this' is not allowed/, 1],
    ['new Date()', /'new' is not allowed/, 1],
    ['x => x', /functions are not allowed/, 1],
    ['function () { return 1 }', /functions are not allowed/, 1],
    ['class {}', /classes are not allowed/, 1],
    ['tag`x`', /tagged templates are not allowed/, 1],
    ['/ab+c/.test(s)', /method calls are not allowed/, 1],
    ['/ab+c/', /regular expression literals are not allowed/, 1],
    ['10n', /BigInt literals are not allowed/, 1],
    ['[1, , 2]', /holes/, 1],
    ['{ [k]: 1 }', /computed object keys/, 4],
    ['{ f() { return 1 } }', /methods are not allowed/, 3],
    ['{ get x() { return 1 } }', /getters and setters/, 3],
    ['{ __proto__: x }', /__proto__/, 3],
    ['x.toLowerCase()', /^method calls are not allowed; use lower\(x\)$/, 1],
    ['name.includes("a")', /use contains\(name, "a"\)/, 1],
    ['Math.max(a, b)', /use max\(a, b\)/, 1],
    ['x.foo()', /method calls are not allowed/, 1],
    ['a + foo(x)', /unknown function 'foo'/, 5],
    ['LOWER(x)', /did you mean 'lower'/, 1],
    ['parseInt(x)', /use toNumber\(x\)/, 1],
    ['round()', /round expects 1 to 2 arguments, got 0/, 1],
    ['lower(a, b)', /lower expects 1 argument, got 2/, 1],
    ['concat(...xs)', /spread \(\.\.\.\) is not allowed in call arguments/, 8],
    ['lower?.(x)', /optional call/, 6],
    ['import("x")', /'import\(\)' is not allowed/, 1],
    ['await x', /'await' is not allowed/, 1],
    ['a + yield b', /'yield' is not allowed/, 5],
    ['a b', /unexpected 'b' after the end of the expression/, 3],
    ['a;', /unexpected ';'/, 2],
    ['price > 3 )', /unexpected '\)'/, 11],
    ['a +', /Unexpected token/, 4],
    ["'abc", /Unterminated string constant/, 1],
  ];
  for (const [src, message, column] of cases) {
    it(`${src} -> column ${column}`, () => {
      const p = problem(src);
      expect(p.message).toMatch(message);
      expect(p.line).toBe(1);
      expect(p.column).toBe(column);
      expect(() => compileExpression(src)).toThrow(ExpressionError);
    });
  }

  it('reports an empty expression', () => {
    for (const src of ['', '   ', '\n\t', '/* nothing */', '// nothing']) {
      expect(problem(src)).toEqual({ message: 'expression is empty', line: 1, column: 1 });
    }
  });

  it('reports line and column in multi-line sources', () => {
    expect(problem('price > 1 &&\n  (qty = 3)')).toMatchObject({ line: 2, column: 8 });
    expect(problem('a +\n\n    b.toUpperCase()')).toMatchObject({ line: 3, column: 5 });
    expect(problem('a\r\n  b')).toMatchObject({ line: 2, column: 3 });
    expect(problem('(a +\n  )')).toMatchObject({ message: 'Unexpected token', line: 2, column: 3 });
  });

  it('reports unknown names when fieldsOf is null', () => {
    expect(problem('match.x + y', { params: ['match'], fieldsOf: null })).toEqual({
      message: "unknown name 'y'",
      line: 1,
      column: 11,
    });
    expect(problem('{ y }', { params: ['match'], fieldsOf: null }).message).toBe("unknown name 'y'");
    expect(checkExpression('match.x + undefined', { params: ['match'], fieldsOf: null })).toBeNull();
  });
});

describe('referencedFields', () => {
  it('lists top-level fields, sorted and unique', () => {
    expect(referencedFields("price * quantity >= 100 && eventType == 'ADD'")).toEqual([
      'eventType',
      'price',
      'quantity',
    ]);
    expect(referencedFields('user.id + user.name + price + price')).toEqual(['price', 'user']);
  });

  it('counts shorthand keys and explicit reads of the record, not property names or strings', () => {
    expect(referencedFields("{ price, total: a.b, 'c': \"d\" }")).toEqual(['a', 'price']);
    expect(referencedFields("event.x + event['y'] + lower(z)")).toEqual(['x', 'y', 'z']);
    expect(referencedFields('`${u}` + "v"')).toEqual(['u']);
  });

  it('is empty for invalid expressions or when there is no record', () => {
    expect(referencedFields('price = 3')).toEqual([]);
    expect(referencedFields('match.x', { params: ['match'], fieldsOf: null })).toEqual([]);
  });
});
