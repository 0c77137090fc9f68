import { describe, expect, it } from 'vitest';
import { compileExpression, HELPERS } from '../../runtime/expr/index.js';

const h = (name: string) => HELPERS[name]!.fn;

describe('HELPERS', () => {
  it('documents every helper with a signature, doc sentence and SQL name', () => {
    for (const [name, spec] of Object.entries(HELPERS)) {
      expect(spec.signature.startsWith(`${name}(`), name).toBe(true);
      expect(spec.doc.length, name).toBeGreaterThan(5);
      expect(spec.sql, name).toMatch(/^[A-Z_]+$/);
      expect(typeof spec.fn, name).toBe('function');
    }
    for (const name of ['lower', 'upper', 'trim', 'length', 'concat', 'substring', 'contains', 'startsWith',
      'endsWith', 'abs', 'round', 'floor', 'ceil', 'sqrt', 'pow', 'min', 'max', 'coalesce', 'toNumber',
      'toString', 'hash', 'timestamp', 'dateFormat']) {
      expect(Object.hasOwn(HELPERS, name), name).toBe(true);
    }
    expect(Object.isFrozen(HELPERS)).toBe(true);
  });

  it('sum over a list or one field of its objects (SQL SUM)', () => {
    expect(h('sum')([1, 2, null, 3.5])).toBe(6.5);
    expect(h('sum')([{ price: 2 }, { price: 3 }, {}], 'price')).toBe(5);
    expect(h('sum')([])).toBe(0);
    expect(h('sum')(undefined)).toBeNull();
    expect(() => h('sum')(['1'])).toThrow(/not a number/);
    expect(() => h('sum')('abc')).toThrow(/needs a list/);
    expect(compileExpression("sum(items, 'qty') > 2")({ items: [{ qty: 1 }, { qty: 2 }] })).toBe(true);
  });

  it('string helpers', () => {
    expect(h('lower')('AbC')).toBe('abc');
    expect(h('upper')('AbC')).toBe('ABC');
    expect(h('trim')('  x ')).toBe('x');
    expect(h('length')('abc')).toBe(3);
    expect(h('length')([1, 2])).toBe(2);
    expect(h('concat')('a', 1, true)).toBe('a1true');
    expect(h('concat')('a', null)).toBeNull();
    expect(h('substring')('abcdef', 2)).toBe('cdef');
    expect(h('substring')('abcdef', 1, 3)).toBe('bcd');
    expect(h('substring')('abc', 1, 0)).toBe('');
    expect(h('contains')('hello', 'ell')).toBe(true);
    expect(h('contains')(['a', 'b'], 'b')).toBe(true);
    expect(h('contains')(['a', 'b'], 'c')).toBe(false);
    expect(h('startsWith')('hello', 'he')).toBe(true);
    expect(h('endsWith')('hello', 'lo')).toBe(true);
    expect(h('toString')({ a: 1 })).toBe('{"a":1}');
    expect(h('toString')(12)).toBe('12');
  });

  it('propagates null like SQL', () => {
    for (const name of ['lower', 'upper', 'trim', 'length', 'abs', 'floor', 'toNumber', 'toString', 'hash', 'timestamp']) {
      expect(h(name)(null), name).toBeNull();
      expect(h(name)(undefined), name).toBeNull();
    }
    expect(h('contains')(null, 'a')).toBeNull();
    expect(h('max')(1, null)).toBeNull();
  });

  it('numeric helpers', () => {
    expect(h('abs')(-3)).toBe(3);
    expect(h('round')(2.5)).toBe(3);
    expect(h('round')(-2.5)).toBe(-3);
    expect(h('round')(1.005, 2)).toBe(1.01);
    expect(h('round')(1234.5, -2)).toBe(1200);
    expect(h('floor')(1.7)).toBe(1);
    expect(h('ceil')(1.2)).toBe(2);
    expect(h('sqrt')(9)).toBe(3);
    expect(h('pow')(2, 10)).toBe(1024);
    expect(h('min')(3, 1, 2)).toBe(1);
    expect(h('max')(3, 1, 2)).toBe(3);
    expect(h('max')('a', 'c', 'b')).toBe('c');
    expect(h('coalesce')(null, undefined, 0, 1)).toBe(0);
    expect(h('coalesce')(null)).toBeNull();
    expect(h('toNumber')(' 42 ')).toBe(42);
    expect(h('toNumber')('x')).toBeNull();
    expect(h('toNumber')('')).toBeNull();
    expect(h('toNumber')(true)).toBe(1);
  });

  it('hash is a stable non-negative 32-bit integer', () => {
    // FNV-1a 32-bit reference values.
    expect(h('hash')('')).toBe(0x811c9dc5);
    expect(h('hash')('a')).toBe(0xe40c292c);
    expect(h('hash')('foobar')).toBe(0xbf9cf968);
    const v = h('hash')('héllo 🌊') as number;
    expect(Number.isInteger(v) && v >= 0 && v < 2 ** 32).toBe(true);
    expect(h('hash')('héllo 🌊')).toBe(v);
    expect(h('hash')('user-1')).not.toBe(h('hash')('user-2'));
  });

  it('timestamp parses ISO strings (UTC when no zone) and numbers', () => {
    expect(h('timestamp')('2024-01-02T03:04:05.678Z')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    expect(h('timestamp')('2024-01-02T03:04:05')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(h('timestamp')('2024-01-02 03:04')).toBe(Date.UTC(2024, 0, 2, 3, 4));
    expect(h('timestamp')('2024-01-02')).toBe(Date.UTC(2024, 0, 2));
    expect(h('timestamp')('2024-01-02T03:00:00+02:00')).toBe(Date.UTC(2024, 0, 2, 1));
    expect(h('timestamp')('2024-01-02T03:00:00-0130')).toBe(Date.UTC(2024, 0, 2, 4, 30));
    expect(h('timestamp')(1700000000000)).toBe(1700000000000);
    expect(h('timestamp')('1700000000000')).toBe(1700000000000);
    expect(h('timestamp')('not a date')).toBeNull();
  });

  it('dateFormat formats epoch ms in UTC', () => {
    const t = Date.UTC(2024, 2, 5, 7, 8, 9, 45);
    expect(h('dateFormat')(t, 'yyyy-MM-dd')).toBe('2024-03-05');
    expect(h('dateFormat')(t, "yyyy-MM-dd'T'HH:mm:ss.SSS")).toBe('2024-03-05T07:08:09.045');
    expect(h('dateFormat')(t, "yy/M/d H 'o''clock'")).toBe("24/3/5 7 o'clock");
    expect(h('dateFormat')('2024-03-05T07:08:09Z', 'HH:mm')).toBe('07:08');
    expect(h('dateFormat')(null, 'yyyy')).toBeNull();
  });

  it('is callable from compiled expressions', () => {
    const f = compileExpression("dateFormat(timestamp(ts), 'yyyy-MM-dd') + ':' + hash(userId) % 10");
    expect(f({ ts: '2024-03-05T10:00:00Z', userId: 'a' })).toBe(`2024-03-05:${0xe40c292c % 10}`);
    expect(compileExpression('contains(tags, "x") && startsWith(lower(name), "al")')({ tags: ['x'], name: 'ALICE' })).toBe(
      true,
    );
  });
});
