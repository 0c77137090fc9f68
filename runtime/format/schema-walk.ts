// Walks a value alongside the zod schema that describes it, so code can ask "what does the spec
// say about this piece of JSON" (its declared key order, whether it is code) without repeating
// the spec by hand.
import { z } from 'zod';

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
}

function def(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

/** The schema under optional/default/nullable/readonly/pipe wrappers. */
export function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    const d = def(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

export function metaOf(s: z.ZodType): Record<string, unknown> | undefined {
  // .meta() can sit on a wrapper or on the schema it wraps; look at both.
  let cur: z.ZodType | undefined = s;
  while (cur) {
    const m = z.globalRegistry.get(cur) as Record<string, unknown> | undefined;
    if (m) return m;
    const d = def(cur);
    cur = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
  }
  return undefined;
}

export function objectShape(s: z.ZodType): Record<string, z.ZodType> | null {
  const d = def(unwrap(s));
  return d.type === 'object' && d.shape ? d.shape : null;
}

/** For a value, the schema describing it: for unions, the first option that accepts the value. */
function resolve(s: z.ZodType, value: unknown): z.ZodType {
  const u = unwrap(s);
  const d = def(u);
  if (d.type === 'union' && d.options) {
    return d.options.find((o) => o.safeParse(value).success) ?? u;
  }
  return u;
}

/** Child schema for one key or index of a value described by `s`, or null when undeclared. */
export function childSchema(s: z.ZodType, value: unknown, key: string | number): z.ZodType | null {
  const d = def(resolve(s, value));
  if (d.type === 'object' && d.shape && typeof key === 'string') return d.shape[key] ?? null;
  if (d.type === 'record' && d.valueType) return d.valueType;
  if (d.type === 'array' && d.element) return d.element;
  return null;
}

/** Visit every (schema, value) pair under `value`, depth first, with the keys that lead to it. */
export function walk(
  s: z.ZodType,
  value: unknown,
  visit: (schema: z.ZodType, value: unknown, at: readonly (string | number)[]) => void,
  at: readonly (string | number)[] = [],
): void {
  visit(s, value, at);
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      const c = childSchema(s, value, i);
      if (c) walk(c, v, visit, [...at, i]);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const c = childSchema(s, value, k);
      if (c) walk(c, v, visit, [...at, k]);
    }
  }
}
