// Which fields of its record a `code` body reads, known before it runs, so that a parallel process
// node can be sent just those fields (engine/parallel/projection.ts). Conservative: a body that
// could see the record as a whole, or that we cannot follow, gets null (send whole records).
// It guards against ordinary code (the record passed on, spread, iterated, stored), not against
// code built to hide what it does (text compiled at run time, property names computed).
import { parse, type Node } from 'acorn';
import { BODY_OPTIONS } from './code.js';

/** Names that let code reach a function's arguments, or run text as code in its scope. */
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['arguments', 'eval', 'Function']);
/**
 * Properties that reach the record through a function: `f.caller` is the body itself when f is a
 * sloppy-mode function it called (the body is compiled sloppy), and its `.arguments` the record.
 */
const FORBIDDEN_PROPS: ReadonlySet<string> = new Set(['caller', 'arguments']);
const NOT_CHILDREN: ReadonlySet<string> = new Set(['type', 'start', 'end', 'loc', 'range']);

class Unsure extends Error {}

type AnyNode = Node & Record<string, unknown>;

/**
 * The top-level fields a function body reads from its param `param` (a record), sorted; null when
 * it cannot be sure. Sure means `param` appears only as the object of a plain member access
 * (`event.x`, `event?.x`, `event['x']`, also assigned to or deleted), is never declared again
 * (which would shadow it), and the body uses none of `arguments`, `eval`, `Function`, `with`,
 * `import()`, `.caller`. A body that does not parse gets null.
 */
export function codeFieldsRead(code: string, param = 'event'): string[] | null {
  let ast: Node;
  try {
    ast = parse(code, BODY_OPTIONS);
  } catch {
    return null; // a syntax error, or too deeply nested (RangeError)
  }
  const fields = new Set<string>();
  try {
    visit(ast as AnyNode, param, fields);
  } catch (err) {
    if (err instanceof Unsure || err instanceof RangeError) return null;
    throw err;
  }
  return [...fields].sort();
}

function visit(node: AnyNode, param: string, fields: Set<string>): void {
  const sub = (n: unknown): void => {
    if (n !== null && typeof n === 'object') visit(n as AnyNode, param, fields);
  };
  switch (node.type) {
    case 'Identifier': {
      // Every name that is not a member's property or a key reaches here: a read of the record
      // whole, or a declaration of the name (shadowing the record in its scope).
      const name = node.name as string;
      if (name === param || FORBIDDEN_NAMES.has(name)) throw new Unsure();
      return;
    }
    case 'MemberExpression': {
      const property = node.property as AnyNode;
      const name = node.computed ? stringLiteral(property) : property.type === 'Identifier' ? (property.name as string) : null;
      if (name !== null && FORBIDDEN_PROPS.has(name)) throw new Unsure();
      const object = node.object as AnyNode;
      if (object.type === 'Identifier' && object.name === param) {
        if (name === null) throw new Unsure(); // event[k], event.#x
        fields.add(name);
        return;
      }
      sub(object);
      if (node.computed) sub(property);
      return;
    }
    // `const { caller } = f` reads `f.caller` as surely as the member access does.
    case 'ObjectPattern':
      for (const prop of node.properties as AnyNode[]) {
        if (prop.type !== 'Property') continue;
        const key = prop.key as AnyNode;
        const name = prop.computed ? stringLiteral(key) : key.type === 'Identifier' ? (key.name as string) : stringLiteral(key);
        if (name !== null && FORBIDDEN_PROPS.has(name)) throw new Unsure();
      }
      break;
    // Keys that are names, not reads (`{event: 1}`, `class { event() {} }`); a shorthand
    // `{event}` still reads the record, through its value.
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      if (node.computed) sub(node.key);
      sub(node.value);
      return;
    // Labels are not bindings.
    case 'LabeledStatement':
      sub(node.body);
      return;
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MetaProperty':
      return;
    // `with` makes every name a possible property; `import()` loads code we cannot see (a body
    // parses as a script, so an import declaration is already a syntax error).
    case 'WithStatement':
    case 'ImportExpression':
      throw new Unsure();
  }
  for (const key of Object.keys(node)) {
    if (NOT_CHILDREN.has(key)) continue;
    const v = node[key];
    if (Array.isArray(v)) for (const x of v) sub(x);
    else sub(v);
  }
}

function stringLiteral(n: AnyNode): string | null {
  return n.type === 'Literal' && typeof n.value === 'string' ? n.value : null;
}
