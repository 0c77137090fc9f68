// What a process node's code reads from its record decides what crosses to its parallel
// instances: every way code could see the record as a whole must give null.
import { describe, expect, it } from 'vitest';
import { codeFieldsRead } from '../../runtime/expr/index.js';
import { examplePipelines } from '../support/pipelines.js';

const read = (code: string) => codeFieldsRead(code);

describe('codeFieldsRead', () => {
  it('gives the fields read through plain member access, sorted and once each', () => {
    expect(read('if (event.b > 1) ctx.emit({ a: event.a, b: event.b });')).toEqual(['a', 'b']);
    expect(read("return event?.z ?? event['y-x'];")).toEqual(['y-x', 'z']);
    expect(read('const n = event.items.length; event.items.map((i) => i.price);')).toEqual(['items']);
    expect(read('ctx.emit({ n: 1 });')).toEqual([]);
    expect(read('')).toEqual([]);
  });

  it('counts fields written or deleted as read', () => {
    expect(read('event.total = event.price * 2; delete event.tmp; [event.a] = [1]; for (event.i of [1]);')).toEqual(['a', 'i', 'price', 'tmp', 'total']);
  });

  it('reads the record inside nested functions and classes that do not shadow it', () => {
    expect(read('const f = (x) => x + event.a; function g() { return event.b; } class C { m() { return event.c; } }')).toEqual(['a', 'b', 'c']);
  });

  it('does not take keys, property names or labels called event for the record', () => {
    expect(read('ctx.emit({ event: event.type, [event.k]: 1 }); const o = { event() {} }; o.event; class K { event = 1; event2() {} } event: for (;;) break event;')).toEqual(['k', 'type']);
  });

  it.each([
    ['computed access', 'return event[k];'],
    ['computed access with a number', 'return event[0];'],
    ['the record passed to a function', 'ctx.emit(event);'],
    ['the record spread', 'ctx.emit({ ...event });'],
    ['the record in shorthand', 'ctx.emit({ event });'],
    ['the record with in', "if ('x' in event) return;"],
    ['the record returned', 'return event;'],
    ['the record stored', 'this.last = event;'],
    ['the record iterated', 'for (const k in event) ctx.emit({ k });'],
    ['typeof the record', "if (typeof event === 'object') return;"],
    ['the record reassigned', 'event = { a: 1 }; return event.a;'],
    ['the record in a sequence', 'return (0, event).a;'],
    ['the record destructured', 'const { a } = event;'],
    ['a let of the same name', '{ let event = 1; } return event.a;'],
    ['a var of the same name in a nested function', 'function f() { var event = {}; return event.a; } return event.b;'],
    ['a function of the same name', 'function inner() { function event() {} } return event.a;'],
    ['a class of the same name', '{ class event {} }'],
    ['a param of the same name', 'const f = (event) => event.a;'],
    ['a destructured param of the same name', 'const f = ({ event }) => 1;'],
    ['a rest param of the same name', 'function f(...event) { return event.length; }'],
    ['a catch param of the same name', 'try { x(); } catch (event) { return event.message; }'],
    ['arguments', 'return arguments[0].a;'],
    ['arguments in a nested function', 'function f() { return arguments.length; }'],
    ['eval', "return eval('event');"],
    ['Function', "return new Function('return 1')();"],
    ['with', 'with (ctx) { event.a; }'],
    ['a dynamic import', "import('node:fs');"],
    ['a function reaching its caller', 'function f() { return f.caller; } f();'],
    ['a function reaching its caller by a literal key', "function f() { return f['caller']; } f();"],
    ['arguments of a function', 'function f() {} return f.arguments;'],
    ['a function reaching its caller by destructuring', 'function f() { const { caller: c } = f; const { arguments: a } = c; return a[0]; } return f().x;'],
    ['a function reaching its caller by destructuring a literal key', "function f() { const { 'caller': c } = f; return c; } f();"],
    ['a syntax error', 'return event.;'],
  ])('gives null for %s', (_what, code) => {
    expect(read(code)).toBeNull();
  });

  it('gives null for code too deeply nested to walk', () => {
    expect(read(`return ${'('.repeat(20_000)}event.a${')'.repeat(20_000)};`)).toBeNull();
  });

  it('reads the process nodes of the session-recommendations pipeline', () => {
    const doc = examplePipelines().find((e) => e.file === 'session-recommendations.json')!.doc as { nodes: { id: string; params: { code?: string } }[] };
    const code = (id: string) => doc.nodes.find((n) => n.id === id)!.params.code!;
    expect(read(code('recentViews'))).toEqual(['category', 'eventType', 'productId', 'userId']);
    expect(read(code('coViews'))).toEqual(['category', 'productId', 'recentlyViewed', 'sameCategory', 'ts', 'userId']);
  });
});
