// Key templates (pipeline-format.md): a string with `{field}` placeholders filled from the record,
// such as `user:{userId}` or `cart:{user.id}:{sessionId}`. `{{` and `}}` are literal braces.

type Part = string | readonly string[];

function parse(src: string): Part[] | string {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '{' && src[i + 1] === '{') {
      lit += '{';
      i++;
    } else if (c === '}' && src[i + 1] === '}') {
      lit += '}';
      i++;
    } else if (c === '{') {
      const end = src.indexOf('}', i);
      if (end < 0) return `unclosed '{' at column ${i + 1} (write '{{' for a literal brace)`;
      const path = src.slice(i + 1, end).trim();
      if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(path)) return `'{${path}}' at column ${i + 1} is not a field name (use {field} or {a.b})`;
      if (lit) parts.push(lit);
      lit = '';
      parts.push(path.split('.'));
      i = end;
    } else if (c === '}') {
      return `unmatched '}' at column ${i + 1} (write '}}' for a literal brace)`;
    } else {
      lit += c;
    }
  }
  if (lit) parts.push(lit);
  return parts;
}

/** A problem with the template, or null. */
export function checkTemplate(src: string): string | null {
  const p = parse(src);
  return typeof p === 'string' ? p : null;
}

/** Thrown when a record lacks a field the template needs; the message names the field. */
export class TemplateError extends Error {}

export interface TemplateOptions {
  /** Applied to each value placed in the text (say, HTML escaping); literal text is left as written. */
  readonly escape?: (value: string) => string;
  /** What the template is called in messages. */
  readonly label?: string;
}

/** Compile once; the function fills the template from a record or throws TemplateError. */
export function compileTemplate(src: string, opts: TemplateOptions = {}): (rec: any) => string {
  const parts = parse(src);
  const label = opts.label ?? 'key template';
  const escape = opts.escape ?? null;
  if (typeof parts === 'string') throw new Error(`${label} ${JSON.stringify(src)}: ${parts}`);
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const only = parts[0];
    return () => only;
  }
  return (rec) => {
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (typeof p === 'string') {
        out += p;
        continue;
      }
      let v: any = rec;
      for (let j = 0; j < p.length && v !== null && v !== undefined; j++) v = v[p[j]!];
      if (v === null || v === undefined) throw new TemplateError(`${label} ${JSON.stringify(src)}: the record has no '${p.join('.')}'`);
      const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
      out += escape === null ? s : escape(s);
    }
    return out;
  };
}
