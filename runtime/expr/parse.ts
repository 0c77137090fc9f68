// Parsing and subset checking of expressions. acorn does the parsing; this
// file decides what of JavaScript is allowed. The subset is deliberately
// small (pure, no calls except helpers) so the same AST can later be
// translated to Flink SQL, and so compiled expressions cannot reach globals.
import { Parser, tokTypes, type AnyNode, type Expression, type Options, type TokenType } from 'acorn';
import { HELPERS, HELPER_ARITY, isHelperName } from './helpers.js';
import { resolveOptions, type ExprOptions, type ResolvedOptions } from './options.js';
import { problemAt, problemFromAcorn, type ExprProblem } from './problem.js';

const ACORN_OPTIONS: Options = { ecmaVersion: 'latest', sourceType: 'script' };

/** Names that read as constants rather than fields. */
const CONSTANTS: ReadonlySet<string> = new Set(['undefined', 'NaN', 'Infinity']);

const BINARY_OPS: ReadonlySet<string> = new Set([
  '==', '!=', '===', '!==', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '**', 'in',
]);
const UNARY_OPS: ReadonlySet<string> = new Set(['!', '-', '+', 'typeof']);

export type Analysis =
  | {
      ok: true;
      ast: Expression;
      options: ResolvedOptions;
      /** Top-level fields of `fieldsOf` that the expression reads, sorted, unique. */
      fields: string[];
      /** Helper names called, sorted, unique. */
      helpers: string[];
    }
  | { ok: false; problem: ExprProblem };

// The parts of acorn's Parser that parseExpressionAt uses internally. We drive
// them ourselves so that, after the expression, the parser's lookahead token
// tells us (in the right tokenizer context) whether anything trails it.
interface ParserInternals {
  nextToken(): void;
  parseExpression(): Expression;
  type: TokenType;
  start: number;
  end: number;
  lastTokStart: number;
  lastTokEnd: number;
}

class Reject extends Error {
  constructor(readonly offset: number, readonly reason: string) {
    super(reason);
  }
}

/**
 * Parses and checks an expression. Never throws for bad user input (returns
 * `{ ok: false, problem }`); throws TypeError for invalid options.
 * The returned AST is acorn's ESTree; the Flink exporter walks the same tree.
 */
export function analyzeExpression(src: string, opts?: ExprOptions): Analysis {
  const options = resolveOptions(opts);
  if (typeof src !== 'string') {
    return { ok: false, problem: { message: 'expression must be a string', line: 1, column: 1 } };
  }
  let ast: Expression;
  try {
    const parser = Parser.tokenizer(src, ACORN_OPTIONS) as unknown as ParserInternals;
    parser.nextToken();
    if (parser.type === tokTypes.eof) {
      return { ok: false, problem: problemAt(src, 0, 'expression is empty') };
    }
    ast = parser.parseExpression();
    if (parser.type !== tokTypes.eof) {
      // In a script `await`/`yield` parse as plain names, so `await x` reads
      // as the name `await` followed by junk; name the real culprit.
      const previous = src.slice(parser.lastTokStart, parser.lastTokEnd);
      if (previous === 'await' || previous === 'yield') {
        return { ok: false, problem: problemAt(src, parser.lastTokStart, `'${previous}' is not allowed in an expression`) };
      }
      const text = src.slice(parser.start, parser.end);
      const shown = text.length > 20 ? `${text.slice(0, 20)}…` : text;
      const message =
        parser.type === tokTypes.semi
          ? "unexpected ';': an expression is a single expression, not statements"
          : `unexpected '${shown}' after the end of the expression`;
      return { ok: false, problem: problemAt(src, parser.start, message) };
    }
  } catch (err) {
    if (err instanceof RangeError) {
      return { ok: false, problem: problemAt(src, 0, 'expression is too deeply nested') };
    }
    const problem = problemFromAcorn(err, src);
    // acorn rejects `a + b = 3` itself, in compiler terms; say it our way.
    if (problem.message === 'Assigning to rvalue') problem.message = 'assignment is not allowed in an expression';
    return { ok: false, problem };
  }

  const checker = new Checker(src, options);
  try {
    checker.check(ast);
  } catch (err) {
    if (err instanceof Reject) return { ok: false, problem: problemAt(src, err.offset, err.reason) };
    if (err instanceof RangeError) {
      return { ok: false, problem: problemAt(src, 0, 'expression is too deeply nested') };
    }
    throw err;
  }
  return {
    ok: true,
    ast,
    options,
    fields: [...checker.fields].sort(),
    helpers: [...checker.helpers].sort(),
  };
}

// Suggestions for the JavaScript people reach for first.
const METHOD_HELPERS: Readonly<Record<string, string>> = {
  toLowerCase: 'lower',
  toLocaleLowerCase: 'lower',
  toUpperCase: 'upper',
  toLocaleUpperCase: 'upper',
  trim: 'trim',
  includes: 'contains',
  startsWith: 'startsWith',
  endsWith: 'endsWith',
  concat: 'concat',
  toString: 'toString',
  substring: 'substring',
  substr: 'substring',
  slice: 'substring',
};
// Methods whose JS arguments do not carry over one-to-one to the helper.
const METHOD_ARGS_DIFFER: ReadonlySet<string> = new Set(['substring', 'substr', 'slice']);
const STATIC_HELPERS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Math: { abs: 'abs', round: 'round', floor: 'floor', ceil: 'ceil', sqrt: 'sqrt', pow: 'pow', min: 'min', max: 'max' },
  Date: { parse: 'timestamp' },
  Number: { parseFloat: 'toNumber', parseInt: 'toNumber' },
};
const GLOBAL_FUNCTION_HELPERS: Readonly<Record<string, string>> = {
  String: 'toString',
  Number: 'toNumber',
  parseFloat: 'toNumber',
  parseInt: 'toNumber',
};

class Checker {
  readonly fields = new Set<string>();
  readonly helpers = new Set<string>();
  private readonly params: ReadonlySet<string>;

  constructor(
    private readonly src: string,
    private readonly options: ResolvedOptions,
  ) {
    this.params = new Set(options.params);
  }

  check(node: AnyNode): void {
    switch (node.type) {
      case 'Literal':
        if (node.regex) this.fail(node.start, 'regular expression literals are not allowed in an expression');
        if (node.bigint !== undefined) this.fail(node.start, 'BigInt literals are not allowed in an expression');
        return;
      case 'Identifier':
        this.identifier(node.name, node.start);
        return;
      case 'TemplateLiteral':
        for (const e of node.expressions) this.check(e);
        return;
      case 'TaggedTemplateExpression':
        this.fail(node.start, 'tagged templates are not allowed in an expression');
        return;
      case 'MemberExpression':
        this.member(node);
        return;
      case 'ChainExpression':
        this.check(node.expression);
        return;
      case 'CallExpression':
        this.call(node);
        return;
      case 'UnaryExpression':
        if (!UNARY_OPS.has(node.operator)) {
          this.fail(node.start, `'${node.operator}' is not allowed in an expression`);
        }
        this.check(node.argument);
        return;
      case 'BinaryExpression':
        if (!BINARY_OPS.has(node.operator)) {
          this.fail(
            this.operatorOffset(node.left.end, node.right.start, node.operator, node.start),
            `operator '${node.operator}' is not allowed in an expression`,
          );
        }
        this.check(node.left);
        this.check(node.right);
        return;
      case 'LogicalExpression':
        this.check(node.left);
        this.check(node.right);
        return;
      case 'ConditionalExpression':
        this.check(node.test);
        this.check(node.consequent);
        this.check(node.alternate);
        return;
      case 'ArrayExpression':
        for (const el of node.elements) {
          if (el === null) this.fail(node.start, 'empty array elements (holes) are not allowed');
          else if (el.type === 'SpreadElement') this.check(el.argument);
          else this.check(el);
        }
        return;
      case 'ObjectExpression':
        this.object(node);
        return;
      case 'AssignmentExpression':
        this.fail(
          this.operatorOffset(node.left.end, node.right.start, node.operator, node.start),
          node.operator === '='
            ? "assignment is not allowed in an expression (use '==' or '===' to compare)"
            : `assignment ('${node.operator}') is not allowed in an expression`,
        );
        return;
      case 'UpdateExpression':
        this.fail(
          node.prefix ? node.start : this.operatorOffset(node.argument.end, node.end, node.operator, node.start),
          `'${node.operator}' is not allowed in an expression`,
        );
        return;
      case 'SequenceExpression': {
        const [first, second] = node.expressions;
        this.fail(
          first && second ? this.operatorOffset(first.end, second.start, ',', node.start) : node.start,
          'the comma operator is not allowed in an expression',
        );
        return;
      }
      case 'ThisExpression':
        this.fail(
          node.start,
          this.options.fieldsOf
            ? `'this' is not allowed in an expression; fields are in scope directly and '${this.options.fieldsOf}' is the whole record`
            : "'this' is not allowed in an expression",
        );
        return;
      case 'Super':
        this.fail(node.start, "'super' is not allowed in an expression");
        return;
      case 'NewExpression':
        this.fail(node.start, "'new' is not allowed in an expression");
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        this.fail(node.start, 'functions are not allowed in an expression (use a code param for logic)');
        return;
      case 'ClassExpression':
        this.fail(node.start, 'classes are not allowed in an expression');
        return;
      case 'AwaitExpression':
        this.fail(node.start, "'await' is not allowed in an expression");
        return;
      case 'YieldExpression':
        this.fail(node.start, "'yield' is not allowed in an expression");
        return;
      case 'ImportExpression':
        this.fail(node.start, "'import()' is not allowed in an expression");
        return;
      case 'MetaProperty':
        this.fail(node.start, `'${node.meta.name}.${node.property.name}' is not allowed in an expression`);
        return;
      default:
        this.fail(node.start, `${describe(node.type)} is not allowed in an expression`);
    }
  }

  private identifier(name: string, offset: number): void {
    if (this.params.has(name) || CONSTANTS.has(name)) return;
    if (this.options.fieldsOf === null) this.fail(offset, `unknown name '${name}'`);
    this.fields.add(name);
  }

  private member(node: Extract<AnyNode, { type: 'MemberExpression' }>): void {
    const { object, property } = node;
    if (object.type === 'Super') this.fail(object.start, "'super' is not allowed in an expression");
    if (property.type === 'PrivateIdentifier') this.fail(property.start, 'private fields are not allowed');
    // `event.price` / `event['price']` read a top-level field just as `price` does.
    if (object.type === 'Identifier' && object.name === this.options.fieldsOf) {
      if (!node.computed && property.type === 'Identifier') this.fields.add(property.name);
      else if (property.type === 'Literal' && typeof property.value === 'string') this.fields.add(property.value);
    }
    this.check(object);
    // A non-computed property (`b` in `a.b`) is a name, not a variable.
    if (node.computed) this.check(property);
  }

  private call(node: Extract<AnyNode, { type: 'CallExpression' }>): void {
    const { callee } = node;
    if (callee.type === 'MemberExpression') this.fail(node.start, this.methodCallMessage(node));
    if (callee.type !== 'Identifier') {
      this.fail(node.start, 'only helper functions can be called, by name, e.g. lower(x)');
    }
    const name = callee.name;
    if (this.params.has(name)) {
      this.fail(callee.start, `'${name}' is a parameter, not a helper function; it cannot be called`);
    }
    if (!isHelperName(name)) this.fail(callee.start, this.unknownFunctionMessage(name));
    if (node.optional) this.fail(callee.end, "optional call '?.()' is not allowed; helpers always exist");
    const arity = HELPER_ARITY[name]!;
    for (const arg of node.arguments) {
      if (arg.type === 'SpreadElement') this.fail(arg.start, 'spread (...) is not allowed in call arguments');
    }
    const n = node.arguments.length;
    if (n < arity.min || n > arity.max) {
      const expected =
        arity.max === Infinity
          ? `at least ${arity.min}`
          : arity.min === arity.max
            ? `${arity.min}`
            : `${arity.min} to ${arity.max}`;
      this.fail(
        node.start,
        `${name} expects ${expected} argument${expected === '1' ? '' : 's'}, got ${n}: ${HELPERS[name]!.signature}`,
      );
    }
    this.helpers.add(name);
    for (const arg of node.arguments) this.check(arg);
  }

  private object(node: Extract<AnyNode, { type: 'ObjectExpression' }>): void {
    for (const prop of node.properties) {
      if (prop.type === 'SpreadElement') {
        this.check(prop.argument);
        continue;
      }
      if (prop.computed) this.fail(prop.key.start, 'computed object keys are not allowed');
      if (prop.kind !== 'init') this.fail(prop.start, 'getters and setters are not allowed in object literals');
      if (prop.method) this.fail(prop.start, 'methods are not allowed in object literals');
      const key = propertyKey(prop.key);
      if (key === null) this.fail(prop.key.start, 'object keys must be names, strings or numbers');
      // `__proto__: x` would set the prototype instead of making a field.
      if (key === '__proto__') this.fail(prop.key.start, "'__proto__' is not allowed as an object key");
      // Shorthand `{price}`: the value node is the identifier, checked (and
      // later rewritten) like any other read.
      this.check(prop.value);
    }
  }

  private methodCallMessage(node: Extract<AnyNode, { type: 'CallExpression' }>): string {
    const callee = node.callee as Extract<AnyNode, { type: 'MemberExpression' }>;
    const method =
      !callee.computed && callee.property.type === 'Identifier'
        ? callee.property.name
        : callee.property.type === 'Literal' && typeof callee.property.value === 'string'
          ? callee.property.value
          : null;
    if (method !== null) {
      const object = callee.object;
      const staticHelper =
        object.type === 'Identifier' && Object.hasOwn(STATIC_HELPERS, object.name)
          ? STATIC_HELPERS[object.name]![method]
          : undefined;
      if (staticHelper) {
        return `method calls are not allowed; use ${this.suggest(staticHelper, node.arguments)}`;
      }
      const helper = Object.hasOwn(METHOD_HELPERS, method) ? METHOD_HELPERS[method] : undefined;
      if (helper) {
        const suggestion = METHOD_ARGS_DIFFER.has(method)
          ? this.suggest(helper, null)
          : this.suggest(helper, [object, ...node.arguments]);
        return `method calls are not allowed; use ${suggestion}`;
      }
      return `method calls are not allowed ('.${method}()'); only helper functions can be called, e.g. lower(x)`;
    }
    return 'method calls are not allowed; only helper functions can be called, e.g. lower(x)';
  }

  private unknownFunctionMessage(name: string): string {
    const global = Object.hasOwn(GLOBAL_FUNCTION_HELPERS, name) ? GLOBAL_FUNCTION_HELPERS[name] : undefined;
    if (global) return `'${name}' cannot be called; use ${global}(x)`;
    const lowered = name.toLowerCase();
    const near = Object.keys(HELPERS).find((h) => h.toLowerCase() === lowered);
    if (near) return `unknown function '${name}'; did you mean '${near}'?`;
    return `unknown function '${name}'; only helper functions can be called (${Object.keys(HELPERS).join(', ')})`;
  }

  /** `helper(arg, …)` using the user's own argument text when it is short. */
  private suggest(helper: string, args: readonly AnyNode[] | null): string {
    const fallback = HELPERS[helper]!.signature.replace(/\):.*$/, ')').replace(/\s*:[^,)]*/g, '');
    if (args === null) return fallback;
    const texts = args.map((a) => this.src.slice(a.start, a.end));
    const joined = `${helper}(${texts.join(', ')})`;
    return joined.length > 60 || joined.includes('\n') ? fallback : joined;
  }

  /**
   * Offset of an operator token between two operands, for pointing at `=` in
   * `price = 3` rather than at `price`. Tokenizes only the gap, which holds
   * nothing but the operator, parentheses and comments.
   */
  private operatorOffset(from: number, to: number, op: string, fallback: number): number {
    try {
      const gap = this.src.slice(from, to);
      for (const tok of Parser.tokenizer(gap, ACORN_OPTIONS)) {
        if (gap.slice(tok.start, tok.end) === op) return from + tok.start;
      }
    } catch {
      // Fall through to the node start.
    }
    return fallback;
  }

  private fail(offset: number, reason: string): never {
    throw new Reject(offset, reason);
  }
}

/** The property name an object-literal key defines, or null if it is not a plain key. */
export function propertyKey(key: AnyNode): string | null {
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) {
    return String(key.value);
  }
  return null;
}

function describe(type: string): string {
  // "SomethingExpression" -> "something expression"
  return type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
