// Expressions → Flink SQL, from the same checked AST the embedded runtime compiles and the Flink
// job reads (compileExpressionForFlink). Helpers map through their one declaration, HELPERS[..].sql
// (runtime/expr/helpers.ts, the "Flink SQL" column of the docs); what has no faithful SQL form
// (typeof, `in`, optional chaining, nested fields, arrays) is refused with the reason.
import { HELPERS } from '../../expr/helpers.js';
import { type Column, type SqlType, id, str, unfit } from './sql.js';

export interface Typed {
  readonly sql: string;
  readonly type: SqlType;
  /** A literal: never null. */
  readonly constant?: boolean;
  /**
   * Arithmetic: NaN in JavaScript where an operand is absent (undefined), NULL in SQL. The two
   * agree in output (JSON writes NaN as null) and in <, >, but not in ==, ?? or text.
   */
  readonly nan?: boolean;
}

/** What a name in scope stands for. */
export type Binding =
  | { readonly kind: 'row'; readonly qualifier: string | null; readonly columns: readonly Column[] }
  | { readonly kind: 'value'; readonly value: Typed }
  /** cep `match`: step name → that step's columns (MATCH_RECOGNIZE pattern variables). */
  | { readonly kind: 'match'; readonly columns: readonly Column[]; readonly steps: ReadonlySet<string> };

export interface Scope {
  readonly bindings: Readonly<Record<string, Binding>>;
  /** The binding whose fields free names read (the expression's `fieldsOf`), or null. */
  readonly fieldsOf: string | null;
}

type Node = { type: string; [k: string]: any };

const numeric = (t: SqlType): boolean => t === 'BIGINT' || t === 'DOUBLE' || t === 'NULL';

function column(b: Binding & { kind: 'row' }, name: string): Typed {
  const c = b.columns.find((x) => x.name === name);
  if (!c) unfit(`field '${name}' is not a column of the input (columns: ${b.columns.map((x) => x.name).join(', ') || 'none'})`);
  return { sql: b.qualifier ? `${b.qualifier}.${id(name)}` : id(name), type: c!.type };
}

function propName(n: Node): string {
  if (!n.computed && n.property.type === 'Identifier') return n.property.name as string;
  if (n.computed && n.property.type === 'Literal' && typeof n.property.value === 'string') return n.property.value as string;
  return unfit('computed field access (`a[b]`) has no SQL column form');
}

function member(n: Node, scope: Scope): Typed {
  if (n.optional) unfit('optional chaining (`?.`) is not translated');
  // match.step[i].field → FIRST(step.field, i) (MATCH_RECOGNIZE's logical offset within a variable).
  if (n.object.type === 'MemberExpression' && n.object.computed && n.object.object.type === 'MemberExpression') {
    const stepAccess = n.object.object as Node;
    const b = stepAccess.object.type === 'Identifier' ? scope.bindings[stepAccess.object.name as string] : undefined;
    if (b?.kind === 'match') {
      const step = propName(stepAccess);
      if (!b.steps.has(step)) unfit(`match.${step}: no such step`);
      const idx = n.object.property;
      if (idx.type !== 'Literal' || typeof idx.value !== 'number' || !Number.isInteger(idx.value) || idx.value < 0) unfit(`match.${step}[…] needs a constant index`);
      const field = propName(n);
      const c = b.columns.find((x) => x.name === field) ?? unfit(`field '${field}' is not a column of the input`);
      return { sql: `FIRST(${id(step)}.${id(field)}, ${idx.value as number})`, type: c.type };
    }
  }
  if (n.object.type !== 'Identifier') unfit('nested fields (`a.b.c`) are not translated: the exporter declares flat columns');
  const b = scope.bindings[n.object.name as string];
  if (b === undefined) {
    if (scope.fieldsOf !== null) unfit(`nested field '${n.object.name}.${propName(n)}' is not translated: the exporter declares flat columns`);
    unfit(`unknown name '${n.object.name}'`);
  }
  if (b!.kind !== 'row') unfit(`'${n.object.name}.${propName(n)}' has no SQL form here`);
  return column(b as Binding & { kind: 'row' }, propName(n));
}

function literal(n: Node): Typed {
  const v = n.value as unknown;
  if (n.infinity || (typeof v === 'number' && !Number.isFinite(v))) unfit('Infinity has no SQL literal');
  if (v === null) return { sql: 'NULL', type: 'NULL' };
  if (typeof v === 'string') return { sql: str(v), type: 'STRING', constant: true };
  if (typeof v === 'boolean') return { sql: v ? 'TRUE' : 'FALSE', type: 'BOOLEAN', constant: true };
  if (typeof v === 'number') {
    // An integer literal is BIGINT only if it fits; SQL's DOUBLE literal needs an exponent.
    if (Number.isSafeInteger(v)) return { sql: String(v), type: 'BIGINT', constant: true };
    return { sql: `CAST(${String(v)} AS DOUBLE)`, type: 'DOUBLE', constant: true };
  }
  return unfit(`literal ${String(v)} has no SQL form`);
}

/**
 * A value as JavaScript's String() writes it, where SQL's CAST writes the same text: STRING and
 * BIGINT; a BOOLEAN is spelled out (CAST gives 'TRUE'); a DOUBLE is refused (CAST writes 3.0 and
 * 1.0E21 where JavaScript writes 3 and 1e+21), as is NaN (JavaScript writes 'NaN', SQL has NULL).
 */
function asString(t: Typed, what: string): string {
  if (t.type === 'STRING') return t.sql;
  if (t.nan) unfit(`${what} of arithmetic: an absent operand gives NaN ('NaN' in text) in JavaScript, NULL in SQL`);
  if (t.type === 'DOUBLE') unfit(`${what} of a DOUBLE: SQL writes 3.0 where JavaScript writes 3`);
  if (t.type === 'NULL') unfit(`${what} of null: JavaScript writes 'null', SQL gives NULL`);
  if (t.type === 'BOOLEAN') return `(CASE WHEN ${t.sql} THEN 'true' WHEN NOT ${t.sql} THEN 'false' END)`;
  return `CAST(${t.sql} AS STRING)`;
}

/**
 * Text inside a template literal or a `+` with text: JavaScript writes an absent value as
 * 'undefined' where SQL's CONCAT and || give NULL for the whole text.
 */
const inText = (t: Typed, what: string): string => (t.constant ? asString(t, what) : `COALESCE(${asString(t, what)}, 'undefined')`);
const asDouble = (t: Typed): string => (t.type === 'DOUBLE' ? t.sql : `CAST(${t.sql} AS DOUBLE)`);

function arithmetic(op: string, a: Typed, b: Typed): Typed {
  if (!numeric(a.type) || !numeric(b.type)) unfit(`'${op}' on ${a.type} and ${b.type}: JavaScript coerces, SQL does not`);
  if (a.type === 'NULL' || b.type === 'NULL') unfit(`'${op}' with null: JavaScript reads null as 0, SQL gives NULL`);
  const type: SqlType = a.type === 'DOUBLE' || b.type === 'DOUBLE' ? 'DOUBLE' : 'BIGINT';
  const nan = !(a.constant && b.constant);
  switch (op) {
    // JavaScript divides in floating point; SQL's BIGINT / BIGINT truncates.
    case '/':
      return { sql: `(${asDouble(a)} / ${asDouble(b)})`, type: 'DOUBLE', nan };
    // JavaScript's % keeps the dividend's sign, as SQL's MOD does.
    case '%':
      return { sql: `MOD(${a.sql}, ${b.sql})`, type, nan };
    case '**':
      return { sql: `POWER(${asDouble(a)}, ${asDouble(b)})`, type: 'DOUBLE', nan };
    default:
      return { sql: `(${a.sql} ${op} ${b.sql})`, type, nan };
  }
}

function comparable(op: string, a: Typed, b: Typed): void {
  const same = a.type === b.type || a.type === 'NULL' || b.type === 'NULL' || (numeric(a.type) && numeric(b.type));
  if (!same) unfit(`'${op}' between ${a.type} and ${b.type}: JavaScript coerces, SQL does not`);
}

/**
 * ==, !=, ===, !==. Every column may be absent (a JSON field missing or null reads as SQL NULL),
 * and SQL's = gives NULL for it, which a WHERE drops, where JavaScript's `x != 'a'` is true:
 * IS [NOT] DISTINCT FROM is two-valued, as JavaScript's equality is (undefined == null, and both
 * differ from every value).
 */
function equality(op: string, a: Typed, b: Typed): Typed {
  comparable(op, a, b);
  const not = op.startsWith('!');
  const strict = op.length === 3;
  if (a.type === 'NULL' || b.type === 'NULL') {
    // x === null is false for an absent field, x === undefined for a null one: SQL has one NULL.
    if (strict) unfit(`'${op}' null/undefined: SQL cannot tell a JSON null from a missing field; write ${not ? '!=' : '=='} null`);
    const other = a.type === 'NULL' ? b : a;
    if (other.nan) unfit(`'${op}' null of arithmetic: an absent operand gives NaN in JavaScript (not null), NULL in SQL`);
    return { sql: `(${other.sql} IS ${not ? 'NOT ' : ''}NULL)`, type: 'BOOLEAN' };
  }
  // NaN equals nothing in JavaScript; NULL IS NOT DISTINCT FROM NULL is true.
  if ((a.nan && !b.constant) || (b.nan && !a.constant)) unfit(`'${op}' of arithmetic with a value that may be absent: JavaScript's NaN equals nothing, SQL's NULL equals NULL`);
  return { sql: `(${a.sql} IS ${not ? '' : 'NOT '}DISTINCT FROM ${b.sql})`, type: 'BOOLEAN' };
}

/** Text that orders the same by UTF-16 code units (JavaScript) and UTF-8 bytes (Flink's STRING). */
const bmpBelowSurrogates = (t: Typed): boolean => t.constant === true && t.type === 'STRING' && !/[\ud800-\uffff]/.test(t.sql);

/**
 * <, <=, >, >=: false in JavaScript when an operand is undefined (or NaN), NULL in SQL, which
 * NOT and a boolean column would not treat as false: made two-valued with COALESCE.
 */
function relational(op: string, a: Typed, b: Typed): Typed {
  comparable(op, a, b);
  if (a.type === 'NULL' || b.type === 'NULL') unfit(`'${op}' with null: JavaScript reads null as 0, SQL gives NULL`);
  // JavaScript compares UTF-16 code units, Flink UTF-8 bytes (code points): they differ between
  // U+E000–U+FFFF and characters above U+FFFF, unless one side is text below U+D800.
  if (a.type === 'STRING' && !bmpBelowSurrogates(a) && !bmpBelowSurrogates(b)) unfit(`'${op}' between texts: JavaScript orders UTF-16 code units, Flink code points; compare with a literal below U+D800`);
  return { sql: `COALESCE(${a.sql} ${op} ${b.sql}, FALSE)`, type: 'BOOLEAN' };
}

function call(n: Node, scope: Scope): Typed {
  if (n.callee.type !== 'Identifier' || !Object.hasOwn(HELPERS, n.callee.name)) unfit('only the documented helpers can be called');
  const name = n.callee.name as string;
  const sqlName = HELPERS[name]!.sql;
  if (name === 'sum') return sumOfStep(n, scope);
  const args = (n.arguments as Node[]).map((a) => translate(a, scope));
  // NaN (JavaScript, from arithmetic over an absent value) is not null to a helper; NULL is to SQL.
  // Only the numeric helpers give NaN for NaN as SQL gives NULL for NULL.
  if (!['abs', 'floor', 'ceil', 'sqrt', 'pow', 'round'].includes(name) && args.some((a) => a.nan)) unfit(`${name} of arithmetic: an absent operand gives NaN in JavaScript, which ${name} does not treat as null; SQL gives NULL`);
  const numericHelper = (t: Typed): Typed => ({ ...t, nan: args.some((a) => a.nan) || undefined });
  const plain = (type: SqlType): Typed => ({ sql: `${sqlName}(${args.map((a) => a.sql).join(', ')})`, type });
  switch (name) {
    case 'lower':
    case 'upper':
    case 'trim':
      return { sql: `${sqlName}(${asString(args[0]!, name)})`, type: 'STRING' };
    case 'length':
    case 'substring':
      // Flink's STRING counts code points, JavaScript UTF-16 code units: a character above U+FFFF
      // (an emoji) is 1 in SQL and 2 here.
      return unfit(`${name}: Flink counts characters above U+FFFF (emoji) as one, JavaScript as two`);
    case 'concat':
      return { sql: `${sqlName}(${args.map((a) => asString(a, name)).join(', ')})`, type: 'STRING' };
    case 'contains':
      if (args[0]!.type !== 'STRING') unfit('contains on a non-string: only string columns are declared');
      return { sql: `(${sqlName}(${asString(args[1]!, name)} IN ${args[0]!.sql}) > 0)`, type: 'BOOLEAN' };
    case 'startsWith':
    case 'endsWith':
      return { sql: `${sqlName}(${asString(args[0]!, name)}, ${asString(args[1]!, name)})`, type: 'BOOLEAN' };
    case 'abs':
    case 'floor':
    case 'ceil':
      return numericHelper(plain(args[0]!.type === 'DOUBLE' ? 'DOUBLE' : 'BIGINT'));
    case 'sqrt':
      return numericHelper({ sql: `${sqlName}(${asDouble(args[0]!)})`, type: 'DOUBLE' });
    case 'pow':
      return numericHelper({ sql: `${sqlName}(${asDouble(args[0]!)}, ${asDouble(args[1]!)})`, type: 'DOUBLE' });
    case 'round':
      // Flink rounds the double's exact binary value (27.885 → 27.88); the helper rounds the
      // decimal it is written as (27.89). Equal for whole digits only at .5, which is exact.
      if (args.length > 1 && args[0]!.type !== 'BIGINT') unfit('round with digits of a DOUBLE: Flink rounds its binary value (27.885 → 27.88), the helper its decimal text (27.89)');
      return numericHelper(plain(args[0]!.type === 'DOUBLE' ? 'DOUBLE' : 'BIGINT'));
    case 'min':
    case 'max':
    case 'coalesce': {
      const types = new Set(args.map((a) => a.type).filter((t) => t !== 'NULL'));
      if (types.size > 1 && ![...types].every(numeric)) unfit(`${name} over ${[...types].join(' and ')}: SQL needs one type`);
      return plain(types.has('DOUBLE') ? 'DOUBLE' : ([...types][0] ?? 'NULL'));
    }
    case 'toNumber':
      // The helper gives null for text that is not a number, as TRY_CAST does.
      return { sql: `TRY_${sqlName}(${args[0]!.sql} AS DOUBLE)`, type: 'DOUBLE' };
    case 'toString':
      if (args[0]!.type === 'DOUBLE') unfit('toString of a DOUBLE: SQL writes 3.0 where JavaScript writes 3');
      if (args[0]!.type === 'BOOLEAN') unfit("toString of a BOOLEAN: SQL writes 'TRUE' where JavaScript writes 'true'");
      return { sql: `${sqlName}(${args[0]!.sql} AS STRING)`, type: 'STRING' };
    case 'dateFormat':
      if (!numeric(args[0]!.type)) unfit('dateFormat of a non-number: only epoch milliseconds are translated');
      // The script sets the session time zone to UTC, the helper's zone.
      return { sql: `${sqlName}(TO_TIMESTAMP_LTZ(${args[0]!.sql}, 3), ${args[1]!.sql})`, type: 'STRING' };
    case 'hash':
      return unfit('hash needs a UDF with the same FNV-1a hash; Flink SQL has none built in');
    case 'timestamp':
      return unfit(`timestamp: ${sqlName} gives seconds and reads only one text format; the helper gives milliseconds from ISO-8601`);
    default:
      return unfit(`helper ${name} is not translated`);
  }
}

/** sum(match.step, 'field') in a cep select or condition → SUM(step.field). */
function sumOfStep(n: Node, scope: Scope): Typed {
  const [list, field] = n.arguments as Node[];
  const b = list?.type === 'MemberExpression' && list.object.type === 'Identifier' ? scope.bindings[list.object.name as string] : undefined;
  if (b?.kind !== 'match' || field?.type !== 'Literal' || typeof field.value !== 'string') return unfit("sum is translated only as sum(match.step, 'field') in a cep node");
  const step = propName(list!);
  if (!b.steps.has(step)) unfit(`match.${step}: no such step`);
  const c = b.columns.find((x) => x.name === field.value) ?? unfit(`field '${field.value}' is not a column of the input`);
  return { sql: `${HELPERS.sum!.sql}(${id(step)}.${id(field.value as string)})`, type: c.type === 'DOUBLE' ? 'DOUBLE' : 'BIGINT' };
}

/** One expression → SQL with its type; throws Unfit with the reason. */
export function translate(n: Node, scope: Scope): Typed {
  switch (n.type) {
    case 'Literal':
      return literal(n);
    case 'Identifier': {
      const name = n.name as string;
      if (name === 'undefined') return { sql: 'NULL', type: 'NULL' };
      if (name === 'NaN' || name === 'Infinity') return unfit(`${name} has no SQL literal`);
      const b = scope.bindings[name];
      if (b?.kind === 'value') return b.value;
      if (b !== undefined) return unfit(`'${name}' as a whole value has no SQL form here`);
      const rows = scope.fieldsOf === null ? undefined : scope.bindings[scope.fieldsOf];
      if (rows?.kind !== 'row') return unfit(`unknown name '${name}'`);
      return column(rows, name);
    }
    case 'MemberExpression':
      return member(n, scope);
    case 'ChainExpression':
      return unfit('optional chaining (`?.`) is not translated');
    case 'TemplateLiteral': {
      const parts: string[] = [];
      (n.quasis as Node[]).forEach((q, i) => {
        if (q.value.cooked) parts.push(str(q.value.cooked as string));
        if (i < n.expressions.length) parts.push(inText(translate(n.expressions[i] as Node, scope), 'a template literal'));
      });
      return { sql: parts.length === 0 ? "''" : `CONCAT(${parts.join(', ')})`, type: 'STRING' };
    }
    case 'UnaryExpression': {
      const a = translate(n.argument as Node, scope);
      if (n.operator === '!') {
        if (a.type !== 'BOOLEAN') unfit('! of a non-boolean: JavaScript truthiness has no SQL form');
        // !undefined is true; NOT NULL is NULL, which a WHERE drops.
        return { sql: `(${a.sql} IS NOT TRUE)`, type: 'BOOLEAN' };
      }
      if (n.operator === '-' && numeric(a.type) && a.type !== 'NULL') return { sql: `(-${a.sql})`, type: a.type, nan: a.nan, constant: a.constant };
      if (n.operator === '+' && numeric(a.type) && a.type !== 'NULL') return a;
      return unfit(`unary '${n.operator}' is not translated`);
    }
    case 'LogicalExpression': {
      const a = translate(n.left as Node, scope);
      const b = translate(n.right as Node, scope);
      if (n.operator === '??') {
        if (a.nan) unfit("'??' after arithmetic: an absent operand gives NaN, which ?? keeps, where SQL's NULL takes the default");
        if (a.type !== b.type && a.type !== 'NULL' && b.type !== 'NULL' && !(numeric(a.type) && numeric(b.type))) unfit(`'??' giving ${a.type} or ${b.type}: a SQL column has one type`);
        return { sql: `COALESCE(${a.sql}, ${b.sql})`, type: a.type === 'NULL' ? b.type : a.type === 'BIGINT' && b.type === 'DOUBLE' ? 'DOUBLE' : a.type, nan: b.nan };
      }
      // JavaScript's && and || give an operand, SQL's AND and OR a boolean: the same only on booleans.
      if (a.type !== 'BOOLEAN' || b.type !== 'BOOLEAN') unfit(`'${n.operator}' on non-booleans gives an operand in JavaScript, a boolean in SQL`);
      return { sql: `(${a.sql} ${n.operator === '&&' ? 'AND' : 'OR'} ${b.sql})`, type: 'BOOLEAN' };
    }
    case 'BinaryExpression': {
      const op = n.operator as string;
      const a = translate(n.left as Node, scope);
      const b = translate(n.right as Node, scope);
      switch (op) {
        case '==':
        case '===':
        case '!=':
        case '!==':
          return equality(op, a, b);
        case '<':
        case '<=':
        case '>':
        case '>=':
          return relational(op, a, b);
        case '+':
          if (a.type === 'STRING' || b.type === 'STRING') return { sql: `(${inText(a, "'+'")} || ${inText(b, "'+'")})`, type: 'STRING' };
          return arithmetic(op, a, b);
        case '-':
        case '*':
        case '/':
        case '%':
        case '**':
          return arithmetic(op, a, b);
        default:
          return unfit(`operator '${op}' is not translated`);
      }
    }
    case 'ConditionalExpression': {
      const c = translate(n.test as Node, scope);
      if (c.type !== 'BOOLEAN') unfit('a condition that is not boolean: JavaScript truthiness has no SQL form');
      const a = translate(n.consequent as Node, scope);
      const b = translate(n.alternate as Node, scope);
      if (a.type !== b.type && a.type !== 'NULL' && b.type !== 'NULL' && !(numeric(a.type) && numeric(b.type))) unfit(`?: giving ${a.type} or ${b.type}: a SQL column has one type`);
      const type = a.type === 'NULL' ? b.type : a.type === 'BIGINT' && b.type === 'DOUBLE' ? 'DOUBLE' : a.type;
      return { sql: `(CASE WHEN ${c.sql} THEN ${a.sql} ELSE ${b.sql} END)`, type, nan: a.nan || b.nan };
    }
    case 'CallExpression':
      return call(n, scope);
    default:
      return unfit(`${n.type} has no SQL form (objects and arrays become records only at the top of a map or select)`);
  }
}

/** A boolean condition (filter, cep where, join bounds). */
export function condition(n: Node, scope: Scope): string {
  const t = translate(n, scope);
  if (t.type !== 'BOOLEAN') unfit('the condition is not boolean: JavaScript truthiness has no SQL form');
  return t.sql;
}

/**
 * An object expression building a record → its columns in JavaScript's key order (a later key
 * replaces an earlier one in place; `...row` spreads every column of that row).
 */
export function record(n: Node, scope: Scope): Map<string, Typed> {
  if (n.type !== 'ObjectExpression') unfit('the output is not an object literal ({...}): only those become SQL columns');
  const out = new Map<string, Typed>();
  for (const p of n.properties as Node[]) {
    if (p.type === 'SpreadElement') {
      const arg = p.argument as Node;
      const b = arg.type === 'Identifier' ? scope.bindings[arg.name as string] : undefined;
      if (b?.kind !== 'row') unfit('only a whole record can be spread (`...event`, `...left`)');
      for (const c of (b as Binding & { kind: 'row' }).columns) out.set(c.name, column(b as Binding & { kind: 'row' }, c.name));
      continue;
    }
    if (p.computed) unfit('computed keys have no SQL column form');
    const key = p.key.type === 'Identifier' ? (p.key.name as string) : String(p.key.value);
    const v = translate(p.value as Node, scope);
    if (v.type === 'NULL') unfit(`field '${key}' is always null: its SQL type is unknown`);
    out.set(key, v);
  }
  return out;
}
