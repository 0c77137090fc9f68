// Compilation of a checked expression AST to a plain JS function. Code is
// generated from the AST (not patched source text), so comments, odd
// spacing and identifier-like text inside strings cannot confuse the
// rewrite. Every composite node is parenthesised, so operator precedence of
// the output never depends on context.
import type { AnyNode, Expression } from 'acorn';
import { HELPERS, type HelperSpec } from './helpers.js';
import { analyzeExpression, propertyKey } from './parse.js';
import type { ExprOptions, ResolvedOptions } from './options.js';
import { ExpressionError } from './problem.js';

interface GenContext {
  params: ReadonlySet<string>;
  fieldsOf: string | null;
  /** Prefix of the local bindings that hold helper functions. */
  helperPrefix: string;
}

/**
 * Compiles an expression once into `function (...params) { return <expr> }`.
 * Throws ExpressionError when the expression is invalid, TypeError for bad options.
 */
export function compileExpression(src: string, opts?: ExprOptions): (...args: any[]) => unknown {
  const analysis = analyzeExpression(src, opts);
  if (!analysis.ok) throw new ExpressionError(analysis.problem);
  return buildFunction(analysis.ast, analysis.options, analysis.helpers);
}

/** Generates and instantiates the function for an already checked AST. */
export function buildFunction(
  ast: Expression,
  options: ResolvedOptions,
  helpers: readonly string[],
): (...args: any[]) => unknown {
  const ctx: GenContext = {
    params: new Set(options.params),
    fieldsOf: options.fieldsOf,
    helperPrefix: helperPrefix(options.params),
  };
  const body = gen(ast, ctx);
  const all = `${ctx.helperPrefix}all`;
  // Helpers are bound once, outside the returned function, to plain locals:
  // a call is then a direct call with no lookup on a helpers object.
  const bindings = helpers.map((h) => `const ${ctx.helperPrefix}${h} = ${all}[${JSON.stringify(h)}];`).join('\n');
  const source =
    `"use strict";\n${bindings}\n` +
    `return function expression(${options.params.join(', ')}) {\n  return ${body};\n};`;
  const fns: Record<string, HelperSpec['fn']> = {};
  for (const h of helpers) fns[h] = HELPERS[h]!.fn;
  // new Function is the point of this module: compile once, run at full speed.
  const factory = new Function(all, source) as (h: typeof fns) => (...args: any[]) => unknown;
  return factory(fns);
}

/** A prefix no param starts with, so helper locals can never shadow or be shadowed. */
function helperPrefix(params: readonly string[]): string {
  let prefix = '$h_';
  while (params.some((p) => p.startsWith(prefix))) prefix = `$${prefix}`;
  return prefix;
}

function gen(node: AnyNode, ctx: GenContext): string {
  switch (node.type) {
    case 'Literal':
      return literal(node.value);
    case 'Identifier':
      return identifier(node.name, ctx);
    case 'TemplateLiteral': {
      // Raw quasi text is exactly what the user wrote between the backticks.
      let out = '`' + node.quasis[0]!.value.raw;
      node.expressions.forEach((e, i) => {
        out += '${' + gen(e, ctx) + '}' + node.quasis[i + 1]!.value.raw;
      });
      return out + '`';
    }
    case 'MemberExpression': {
      const { object, property } = node;
      // Members and calls are left bare so an optional chain (`a?.b.c`) keeps
      // short-circuiting; parentheses would cut the chain.
      const bare = object.type === 'Identifier' || object.type === 'MemberExpression' || object.type === 'CallExpression';
      const obj = bare ? gen(object, ctx) : `(${gen(object, ctx)})`;
      if (node.computed) return `${obj}${node.optional ? '?.' : ''}[${gen(property, ctx)}]`;
      return `${obj}${node.optional ? '?.' : '.'}${(property as { name: string }).name}`;
    }
    case 'ChainExpression':
      return `(${gen(node.expression, ctx)})`;
    case 'CallExpression': {
      const name = (node.callee as { name: string }).name;
      return `${ctx.helperPrefix}${name}(${node.arguments.map((a) => gen(a, ctx)).join(', ')})`;
    }
    case 'UnaryExpression':
      return `(${node.operator}${node.operator === 'typeof' ? ' ' : ''}${gen(node.argument, ctx)})`;
    case 'BinaryExpression':
    case 'LogicalExpression':
      return `(${gen(node.left, ctx)} ${node.operator} ${gen(node.right, ctx)})`;
    case 'ConditionalExpression':
      return `(${gen(node.test, ctx)} ? ${gen(node.consequent, ctx)} : ${gen(node.alternate, ctx)})`;
    case 'ArrayExpression':
      return `[${node.elements.map((e) => gen(e!, ctx)).join(', ')}]`;
    case 'SpreadElement':
      return `...${gen(node.argument, ctx)}`;
    case 'ObjectExpression': {
      const props = node.properties.map((p) => {
        if (p.type === 'SpreadElement') return gen(p, ctx);
        // Keys are emitted quoted; shorthand `{price}` becomes `"price": event.price`.
        return `${JSON.stringify(propertyKey(p.key))}: ${gen(p.value, ctx)}`;
      });
      return `({${props.join(', ')}})`;
    }
    default:
      // The checker rejects everything else; reaching here is a bug.
      throw new Error(`internal error: cannot compile ${node.type}`);
  }
}

function literal(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    // Canonical form: legacy octal literals (`010`) are valid in the sloppy
    // parse but not in the strict generated code; 1e999 is Infinity.
    return Number.isFinite(value) ? String(value) : '(1 / 0)';
  }
  return String(value); // true, false, null
}

function identifier(name: string, ctx: GenContext): string {
  if (ctx.params.has(name)) return name;
  if (name === 'undefined') return '(void 0)';
  if (name === 'NaN') return '(0 / 0)';
  if (name === 'Infinity') return '(1 / 0)';
  // Free identifier: a field of the record. The checker has already rejected
  // free identifiers when there is no record (fieldsOf null).
  return `${ctx.fieldsOf}.${name}`;
}
