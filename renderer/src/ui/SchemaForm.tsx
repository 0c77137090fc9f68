// A node's params form, generated from its spec's JSON Schema: text for durations and paths,
// selects for enums, a kind switch for discriminated unions (window assigners), entry lists for
// records (aggregates), Monaco for expressions and code. No node type is named here.
import { memo, type ReactNode, useState } from 'react';
import { CodeField } from '../editor/CodeField.js';
import type { FieldInfo } from '../model/fields.js';
import { setIn } from '../model/doc.js';
import { discriminator, type FieldModel, initialValue, type JsonSchema, kindOf, listItems, listItemSchema, listValue, objectFields, parseScalar, variantIndex, variantLabel } from '../model/form.js';
import { isWarningText, paramKey } from '../model/problems.js';

export type Path = readonly (string | number)[];

export interface FormContext {
  readonly nodeId: string;
  readonly fields: readonly FieldInfo[];
  /** Problem messages by param path key ('assigner.size'). */
  readonly problems: ReadonlyMap<string, readonly string[]>;
  readonly set: (path: Path, value: unknown) => void;
  /** Richer editors for particular params (the CEP step editor), by top-level param name. */
  readonly custom?: (key: string, value: unknown, set: (v: unknown) => void) => ReactNode | null;
  /** Fields of the object at `path` that cannot apply given its other values (model/relevant.ts). */
  readonly hidden?: (path: Path, value: Readonly<Record<string, unknown>>) => ReadonlySet<string>;
}

function Help({ schema }: { schema: JsonSchema }) {
  if (!schema.description) return null;
  return <div className="help">{schema.description.replace(/`/g, '')}</div>;
}

function Problems({ ctx, path }: { ctx: FormContext; path: Path }) {
  const msgs = ctx.problems.get(paramKey(path));
  if (!msgs || msgs.length === 0) return null;
  return (
    <div className="field-problems" role="alert">
      {msgs.map((m) => (
        <div key={m} className={isWarningText(m) ? 'warning' : undefined}>
          {m}
        </div>
      ))}
    </div>
  );
}

function placeholderOf(schema: JsonSchema): string {
  return schema.default !== undefined ? `default: ${JSON.stringify(schema.default)}` : '';
}

function Scalar({ field, value, path, ctx }: { field: FieldModel; value: unknown; path: Path; ctx: FormContext }) {
  const { schema, kind } = field;
  const name = paramKey(path);
  switch (kind) {
    case 'expression':
    case 'code':
      return (
        <CodeField
          id={`${ctx.nodeId}/${name}`}
          kind={kind}
          label={name}
          value={typeof value === 'string' ? value : ''}
          onChange={(v) => ctx.set(path, v === '' ? undefined : v)}
          fields={ctx.fields}
          params={kind === 'code' ? (schema['x-params'] ?? ['event', 'ctx']) : ['event']}
          problems={ctx.problems.get(name) ?? []}
        />
      );
    case 'enum':
      return (
        <select name={name} aria-label={name} value={value === undefined ? '' : String(value)} onChange={(e) => ctx.set(path, e.target.value === '' ? undefined : schema.enum!.find((x) => String(x) === e.target.value))}>
          {!field.required && <option value="">{schema.default !== undefined ? `default (${String(schema.default)})` : '—'}</option>}
          {schema.enum!.map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
      );
    case 'boolean':
      return <input name={name} aria-label={name} type="checkbox" checked={value === true} onChange={(e) => ctx.set(path, e.target.checked)} />;
    case 'number':
    case 'integer':
      return (
        <input
          name={name}
          aria-label={name}
          type="number"
          step={kind === 'integer' ? 1 : 'any'}
          placeholder={placeholderOf(schema)}
          value={typeof value === 'number' ? value : ''}
          onChange={(e) => ctx.set(path, e.target.value === '' ? undefined : Number(e.target.value))}
        />
      );
    case 'duration':
    case 'scalar':
      return (
        <input
          name={name}
          aria-label={name}
          type="text"
          placeholder={placeholderOf(schema) || (kind === 'duration' ? 'e.g. 5s, 1m, 250' : '')}
          value={value === undefined ? '' : String(value)}
          onChange={(e) => ctx.set(path, parseScalar(e.target.value))}
        />
      );
    case 'json':
      return <JsonField name={name} value={value} onChange={(v) => ctx.set(path, v)} />;
    default:
      // A param naming a record field (a window aggregate's, event time's) offers the input's fields.
      return (
        <input
          name={name}
          aria-label={name}
          type="text"
          list={field.key === 'field' && ctx.fields.length > 0 ? `fields-${ctx.nodeId}` : undefined}
          placeholder={placeholderOf(schema)}
          value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)}
          onChange={(e) => ctx.set(path, e.target.value === '' && !field.required ? undefined : e.target.value)}
        />
      );
  }
}

export function JsonField({ name, value, onChange }: { name: string; value: unknown; onChange: (v: unknown) => void }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value, null, 2));
  const [bad, setBad] = useState(false);
  return (
    <textarea
      name={name}
          aria-label={name}
      className={bad ? 'invalid' : ''}
      value={text}
      rows={3}
      onChange={(e) => {
        setText(e.target.value);
        try {
          onChange(e.target.value.trim() === '' ? undefined : JSON.parse(e.target.value));
          setBad(false);
        } catch {
          setBad(true);
        }
      }}
    />
  );
}

/** The input's field names, for text params that name a field. */
export function FieldList({ ctx }: { ctx: FormContext }) {
  return (
    <datalist id={`fields-${ctx.nodeId}`}>
      {ctx.fields.map((f) => (
        <option key={f.name} value={f.name} />
      ))}
    </datalist>
  );
}

export const Field = memo(function Field({ field, value, path, ctx }: { field: FieldModel; value: unknown; path: Path; ctx: FormContext }) {
  const key = paramKey(path);
  let body: ReactNode;
  const custom = path.length === 1 ? ctx.custom?.(field.key, value, (v) => ctx.set(path, v)) : null;
  if (custom) body = custom;
  else if (field.kind === 'object') body = <ObjectBody schema={field.schema} value={value} path={path} ctx={ctx} optional={!field.required} />;
  else if (field.kind === 'variant') body = <VariantBody schema={field.schema} value={value} path={path} ctx={ctx} />;
  else if (field.kind === 'record') body = <RecordBody schema={field.schema} value={value} path={path} ctx={ctx} />;
  else if (field.kind === 'array') body = <ArrayBody schema={field.schema} value={value} path={path} ctx={ctx} />;
  else body = <Scalar field={field} value={value} path={path} ctx={ctx} />;
  return (
    <div className={`field kind-${field.kind}`} data-param={key}>
      <label className="field-label">
        {field.key}
        {field.required && <span className="req">*</span>}
      </label>
      {body}
      <Problems ctx={ctx} path={path} />
      <Help schema={field.schema} />
    </div>
  );
});

export function ObjectBody({ schema, value, path, ctx, optional = false, skip }: { schema: JsonSchema; value: unknown; path: Path; ctx: FormContext; optional?: boolean; skip?: string }) {
  if (value === undefined && optional) {
    return (
      <button type="button" className="add" onClick={() => ctx.set(path, initialValue({ ...schema, default: undefined }))}>
        + set {String(path[path.length - 1])}
      </button>
    );
  }
  const obj = (value ?? {}) as Record<string, unknown>;
  const hidden = ctx.hidden?.(path, obj);
  return (
    <div className="object">
      {objectFields(schema)
        .filter((f) => f.key !== skip && !hidden?.has(f.key))
        .map((f) => (
          <Field key={f.key} field={f} value={obj[f.key]} path={[...path, f.key]} ctx={ctx} />
        ))}
      {optional && (
        <button type="button" className="remove" onClick={() => ctx.set(path, undefined)}>
          remove {String(path[path.length - 1])}
        </button>
      )}
    </div>
  );
}

function VariantBody({ schema, value, path, ctx }: { schema: JsonSchema; value: unknown; path: Path; ctx: FormContext }) {
  const d = discriminator(schema)!;
  const i = variantIndex(schema, value);
  return (
    <div className="variant">
      <select
        name={`${paramKey(path)}.${d}`}
        aria-label={`${paramKey(path)}.${d}`}
        value={i}
        onChange={(e) => {
          const next = schema.oneOf![Number(e.target.value)]!;
          // Keep the values the new kind also has (a tumbling size stays a sliding size).
          const init = initialValue(next) as Record<string, unknown>;
          const old = (value ?? {}) as Record<string, unknown>;
          for (const k of Object.keys(next.properties ?? {})) if (k !== d && old[k] !== undefined) init[k] = old[k];
          ctx.set(path, init);
        }}
      >
        {i < 0 && <option value={-1}>choose {d}…</option>}
        {schema.oneOf!.map((o, k) => (
          <option key={k} value={k} title={o.description}>
            {variantLabel(schema, k)}
          </option>
        ))}
      </select>
      {i >= 0 && <ObjectBody schema={schema.oneOf![i]!} value={value} path={path} ctx={ctx} skip={d} />}
    </div>
  );
}

function RecordBody({ schema, value, path, ctx }: { schema: JsonSchema; value: unknown; path: Path; ctx: FormContext }) {
  const entries = Object.entries((value ?? {}) as Record<string, unknown>);
  const item = schema.additionalProperties as JsonSchema;
  const itemKind = kindOf(item);
  const rename = (from: string, to: string) => {
    if (to === from || to === '' || entries.some(([k]) => k === to)) return;
    ctx.set(path, Object.fromEntries(entries.map(([k, v]) => [k === from ? to : k, v])));
  };
  return (
    <div className="record">
      {entries.map(([k, v]) => (
        <div className="entry" key={k} data-entry={k}>
          <div className="entry-head">
            <input className="entry-name" aria-label={`${paramKey(path)} name`} defaultValue={k} onBlur={(e) => rename(k, e.target.value.trim())} />
            <button type="button" className="remove" title={`remove ${k}`} onClick={() => ctx.set([...path, k], undefined)}>
              ×
            </button>
          </div>
          {itemKind === 'object' ? (
            <ObjectBody schema={item} value={v} path={[...path, k]} ctx={ctx} />
          ) : (
            <Field field={{ key: k, schema: item, kind: itemKind, required: true }} value={v} path={[...path, k]} ctx={ctx} />
          )}
        </div>
      ))}
      <button
        type="button"
        className="add"
        onClick={() => {
          let n = entries.length + 1;
          while (entries.some(([k]) => k === `field${n}`)) n++;
          ctx.set([...path, `field${n}`], initialValue(item));
        }}
      >
        + add
      </button>
    </div>
  );
}

function ArrayBody({ schema, value, path, ctx }: { schema: JsonSchema; value: unknown; path: Path; ctx: FormContext }) {
  const items = listItems(schema, value);
  const item = listItemSchema(schema);
  const kind = kindOf(item);
  const setItems = (next: readonly unknown[]) => ctx.set(path, listValue(schema, next, value));
  // A value written as its one item (not a list): editing the item edits the value itself.
  const itemCtx: FormContext = Array.isArray(value) ? ctx : { ...ctx, set: (p, v) => ctx.set(path, setIn(value, p.slice(path.length + 1), v)) };
  return (
    <div className="array">
      {items.map((v, i) => (
        <div className="entry" key={i}>
          {kind === 'object' ? <ObjectBody schema={item} value={v} path={[...path, i]} ctx={itemCtx} /> : <Field field={{ key: `#${i + 1}`, schema: item, kind, required: true }} value={v} path={[...path, i]} ctx={itemCtx} />}
          <button type="button" className="remove" onClick={() => setItems(items.filter((_, k) => k !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="add" onClick={() => setItems([...items, initialValue(item)])}>
        + add
      </button>
    </div>
  );
}
