// Forms from node specs: each node's params schema (zod) becomes JSON Schema once, and each value
// in it is classified into the kind of input that edits it. Nothing here knows a node type; a new
// node type gets its form from its spec alone.
import { z } from 'zod';
import { FORMATS } from '../../../runtime/format/params.js';
import type { NodeSpec } from '../../../runtime/nodes/spec.js';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  'x-params'?: string[];
  /** Set when the params could not be described: the form edits them as JSON. */
  'x-raw'?: boolean;
}

export type FieldKind =
  | 'expression' | 'code' | 'duration' | 'path' | 'template'
  | 'enum' | 'boolean' | 'number' | 'integer' | 'string' | 'scalar'
  | 'object' | 'variant' | 'record' | 'array' | 'json';

const cache = new WeakMap<NodeSpec, JsonSchema>();

export function paramsSchema(spec: NodeSpec): JsonSchema {
  let s = cache.get(spec);
  if (!s) {
    try {
      s = z.toJSONSchema(spec.params, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    } catch {
      // A schema JSON Schema cannot express: the params are edited as JSON (still validated).
      s = { type: 'object', 'x-raw': true };
    }
    cache.set(spec, s);
  }
  return s;
}

function types(s: JsonSchema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (typeof s.type === 'string') return [s.type];
  if (s.anyOf) return s.anyOf.flatMap(types);
  return [];
}

/** The discriminator of a `oneOf` of objects: the property every option pins with `const`. */
export function discriminator(s: JsonSchema): string | null {
  if (!s.oneOf || s.oneOf.length === 0) return null;
  const first = s.oneOf[0]!.properties ?? {};
  for (const k of Object.keys(first)) if (s.oneOf.every((o) => o.properties?.[k]?.const !== undefined)) return k;
  return null;
}

export function kindOf(s: JsonSchema): FieldKind {
  switch (s.format) {
    case FORMATS.expression: return 'expression';
    case FORMATS.code: return 'code';
    case FORMATS.duration: return 'duration';
    case FORMATS.path: return 'path';
    case FORMATS.template: return 'template';
  }
  if (s.enum) return 'enum';
  if (discriminator(s)) return 'variant';
  const t = types(s);
  if (t.includes('object')) {
    if (s.properties) return 'object';
    if (s.additionalProperties && typeof s.additionalProperties === 'object') return 'record';
    return 'json';
  }
  if (t.includes('array')) return 'array';
  if (t.length === 1 && t[0] === 'boolean') return 'boolean';
  if (t.length === 1 && t[0] === 'integer') return 'integer';
  if (t.length === 1 && t[0] === 'number') return 'number';
  if (t.length === 1 && t[0] === 'string') return 'string';
  if (t.length > 1 && t.every((x) => x === 'number' || x === 'string' || x === 'integer' || x === 'null')) return 'scalar';
  return 'json';
}

export interface FieldModel {
  readonly key: string;
  readonly schema: JsonSchema;
  readonly kind: FieldKind;
  readonly required: boolean;
}

/** The fields of an object schema, in the spec's declared order. */
export function objectFields(s: JsonSchema): FieldModel[] {
  const req = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([key, schema]) => ({ key, schema, kind: kindOf(schema), required: req.has(key) }));
}

/** The schema of one item of a list field; a list may be `anyOf` one item or an array of them. */
export function listItemSchema(s: JsonSchema): JsonSchema {
  return s.items ?? s.anyOf?.find((o) => types(o).includes('array'))?.items ?? {};
}

/** A list field that may also be written as its one item on its own (`topic: "clicks"`). */
function singleAllowed(s: JsonSchema): boolean {
  return s.anyOf?.some((o) => !types(o).includes('array')) ?? false;
}

/** The items a list field shows: a value written as its one item is a list of one. */
export function listItems(s: JsonSchema, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value !== undefined && singleAllowed(s) ? [value] : [];
}

/**
 * The value to store for edited list items, in the form the value had: a single item written on
 * its own stays on its own (and a new list of one starts so), so editing never rewrites the JSON.
 */
export function listValue(s: JsonSchema, items: readonly unknown[], previous: unknown): unknown {
  if (!singleAllowed(s) || Array.isArray(previous)) return [...items];
  if (items.length === 0) return undefined;
  return items.length === 1 ? items[0] : [...items];
}

/** Which option of a discriminated union `value` is (by its discriminator), or -1. */
export function variantIndex(s: JsonSchema, value: unknown): number {
  const d = discriminator(s);
  if (!d || !value || typeof value !== 'object') return -1;
  const v = (value as Record<string, unknown>)[d];
  return s.oneOf!.findIndex((o) => o.properties?.[d]?.const === v);
}

export function variantLabel(s: JsonSchema, i: number): string {
  const d = discriminator(s)!;
  return String(s.oneOf![i]!.properties![d]!.const);
}

/** A starting value for a new entry (a record's value, an array item, a chosen variant). */
export function initialValue(s: JsonSchema): unknown {
  if (s.default !== undefined) return structuredClone(s.default);
  if (s.const !== undefined) return s.const;
  const kind = kindOf(s);
  if (kind === 'enum') return s.enum![0];
  if (kind === 'variant') return initialValue(s.oneOf![0]!);
  if (kind === 'object') {
    const out: Record<string, unknown> = {};
    for (const f of objectFields(s)) if (f.required) out[f.key] = initialValue(f.schema);
    return out;
  }
  if (kind === 'record') return {};
  if (kind === 'array') return [];
  if (kind === 'boolean') return false;
  if (kind === 'number' || kind === 'integer') return s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : (s.minimum ?? 0);
  return '';
}

/** Text typed into a duration or number-or-string field: digits alone are a number (ms). */
export function parseScalar(text: string): string | number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}
