// A model's results for one batch, and `outputs` refs (`label`, `probabilities[1]`, `result.score`)
// resolved against them. A column hands out one getter per ref and batch, so the per-record loop
// is an index read, not a parse.
import type { NumericArray } from './features.js';

export interface OutputColumn {
  /** A reader for each row: the whole row (no key) or one element / class / field of it. */
  getter(key: string | undefined): ((row: number) => unknown) | string;
}

const num = (v: number | bigint) => (typeof v === 'bigint' ? Number(v) : v);

/** A tensor with the batch on its first axis. */
export function tensorColumn(data: NumericArray | readonly (string | number)[], dims: readonly number[]): OutputColumn {
  const width = dims.slice(1).reduce((a, b) => a * b, 1);
  return {
    getter(key) {
      const d = data as ArrayLike<number | bigint | string>;
      if (key === undefined) {
        if (width === 1) return (i) => { const v = d[i]!; return typeof v === 'string' ? v : num(v); };
        return (i) => Array.from({ length: width }, (_, j) => { const v = d[i * width + j]!; return typeof v === 'string' ? v : num(v); });
      }
      const j = Number(key);
      if (!Number.isInteger(j) || j < 0 || j >= width) return `index [${key}] is outside the output's ${width} columns`;
      return (i) => { const v = d[i * width + j]!; return typeof v === 'string' ? v : num(v); };
    },
  };
}

/** A ZipMap output: the probability tensor with its class labels (a row reads as {label: p}). */
export function zipMapColumn(data: Float32Array, labels: readonly (string | number)[]): OutputColumn {
  const k = labels.length;
  return {
    getter(key) {
      if (key === undefined) {
        return (i) => {
          const o: Record<string, number> = {};
          for (let j = 0; j < k; j++) o[String(labels[j])] = data[i * k + j]!;
          return o;
        };
      }
      const j = labels.findIndex((l) => String(l) === key);
      if (j < 0) return `class [${key}] is not one of the classifier's classes (${labels.join(', ')})`;
      return (i) => data[i * k + j]!;
    },
  };
}

/** Per-row JSON values (remote servers). A key indexes an array or names an object field. */
export function rowsColumn(values: readonly unknown[]): OutputColumn {
  return {
    getter(key) {
      if (key === undefined) return (i) => values[i];
      return (i) => {
        const v = values[i];
        if (v !== null && typeof v === 'object') return (v as Record<string, unknown>)[key] ?? null;
        return null;
      };
    },
  };
}

export interface OutputRef {
  readonly field: string;
  readonly source: string;
  readonly name: string;
  readonly key: string | undefined;
  readonly path: readonly string[];
}

const REF = /^([^[.]+)(?:\[([^\]]+)\])?((?:\.[^.[\]]+)*)$/;

export function parseOutputs(outputs: Readonly<Record<string, string>>): OutputRef[] {
  return Object.entries(outputs).map(([field, source]) => {
    const m = REF.exec(source.trim());
    if (!m) throw new Error(`output ${JSON.stringify(source)} for field '${field}': use name, name[index] or name.field`);
    return { field, source, name: m[1]!, key: m[2]?.replace(/^["']|["']$/g, ''), path: m[3] ? m[3].slice(1).split('.') : [] };
  });
}

export type RowReader = (row: number) => unknown;

/** One reader per ref for this batch, or the reason a ref does not fit the model's outputs. */
export function readers(refs: readonly OutputRef[], cols: ReadonlyMap<string, OutputColumn>): RowReader[] | string {
  const out: RowReader[] = [];
  for (const r of refs) {
    const col = cols.get(r.name);
    if (!col) return `output '${r.name}' (for field '${r.field}') is not one of the model's outputs: ${[...cols.keys()].join(', ')}`;
    const g = col.getter(r.key);
    if (typeof g === 'string') return `output ${JSON.stringify(r.source)}: ${g}`;
    if (r.path.length === 0) out.push(g);
    else {
      const path = r.path;
      out.push((i) => {
        let v = g(i);
        for (const p of path) v = v !== null && typeof v === 'object' ? ((v as Record<string, unknown>)[p] ?? null) : null;
        return v;
      });
    }
  }
  return out;
}
