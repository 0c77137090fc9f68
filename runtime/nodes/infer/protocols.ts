// Request and response shapes of the model-server protocols, as each documents them:
// - kserve-v2: Open Inference Protocol, REST (kserve.github.io/website › Open Inference Protocol):
//   POST /v2/models/{name}[/versions/{v}]/infer {inputs: [{name, shape, datatype, data}]} →
//   {model_name, model_version?, outputs: [{name, shape, datatype, data}]} (data row-major, flat).
// - tf-serving: REST API (tensorflow.org/tfx/serving/api_rest): POST /v1/models/{name}[/versions/{v}]:predict
//   {instances: [...]} → {predictions: [...]}, or {inputs: ...} → {outputs: ...}.
// - mlflow: scoring server (mlflow.org › Deploy MLflow models): POST /invocations
//   {dataframe_split: {columns, data}} or {inputs: [...]} → {predictions: [...]}.
// - openai: POST {base}/chat/completions {model, messages} → {model, choices: [{message: {content}}]};
//   POST {base}/embeddings {model, input: [...]} → {model, data: [{index, embedding}]}.
// - json: any JSON body from an expression, the result at a dotted path of the response.
import { compileExpression } from '../../expr/index.js';
import { compileFeatures, type Feature, fillTensor } from './features.js';
import type { Protocol } from './spec.js';

export interface HttpModelParams {
  readonly protocol: Protocol;
  readonly name?: string | undefined;
  readonly version?: string | undefined;
  readonly datatype: 'FP32' | 'FP64' | 'INT64' | 'INT32';
  readonly layout: 'rows' | 'columns';
  readonly mode: 'chat' | 'embeddings';
  readonly prompt?: string | undefined;
  readonly system?: string | undefined;
  readonly temperature?: number | undefined;
  readonly request?: string | undefined;
  readonly response?: string | undefined;
  readonly batched: boolean;
}

/** One HTTP request's worth: path, body, and how to read the answer back per record. */
export interface Encoded {
  readonly path: string;
  readonly body: unknown;
  /** Records of the request that could not be encoded (a bad feature), by index. */
  readonly bad: Map<number, string>;
  /** Index in the request → index in the body's rows (records with bad features are left out). */
  readonly rows: readonly number[];
}

export interface Decoded {
  /** Output name → one value per body row. */
  readonly cols: Map<string, unknown[]>;
  readonly version: string | null;
}

const enc = encodeURIComponent;

function dig(v: unknown, path: string | undefined): unknown {
  if (!path) return v;
  for (const p of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function fail(msg: string): never {
  throw new Error(msg);
}

export class ProtocolCodec {
  private readonly inputs: { name: string; features: Feature[] }[];
  private readonly prompt: ((rec: unknown) => unknown) | null;
  private readonly request: ((rec: unknown) => unknown) | null;

  constructor(
    private readonly m: HttpModelParams,
    features: { features?: readonly string[] | undefined; inputs?: Readonly<Record<string, readonly string[]>> | undefined },
  ) {
    const wanted = features.inputs ?? (features.features ? { input: features.features } : {});
    this.inputs = Object.entries(wanted).map(([name, srcs]) => ({ name, features: compileFeatures(srcs) }));
    this.prompt = m.prompt ? (compileExpression(m.prompt) as (rec: unknown) => unknown) : null;
    this.request = m.request ? (compileExpression(m.request) as (rec: unknown) => unknown) : null;
  }

  /** Most records one request may carry. */
  maxPerRequest(batchSize: number): number {
    if (this.m.protocol === 'openai' && this.m.mode === 'chat') return 1;
    if (this.m.protocol === 'json' && !this.m.batched) return 1;
    return batchSize;
  }

  private modelPath(): string {
    const m = this.m;
    return `/models/${enc(m.name!)}${m.version ? `/versions/${enc(m.version)}` : ''}`;
  }

  /** Numeric rows per input, leaving out records with a bad feature. */
  private tensors(recs: readonly unknown[]): { data: number[][][]; bad: Map<number, string>; rows: number[] } {
    const bad = new Map<number, string>();
    const per = this.inputs.map((inp) => {
      const buf = new Float64Array(recs.length * inp.features.length);
      const b = fillTensor(inp.features, recs, 0, recs.length, buf);
      if (b) for (const [k, v] of b) if (!bad.has(k)) bad.set(k, v);
      return { buf, w: inp.features.length };
    });
    const rows: number[] = [];
    for (let i = 0; i < recs.length; i++) if (!bad.has(i)) rows.push(i);
    const int = this.m.protocol === 'kserve-v2' && (this.m.datatype === 'INT64' || this.m.datatype === 'INT32');
    const data = per.map(({ buf, w }) => rows.map((i) => Array.from(buf.subarray(i * w, i * w + w), (x) => (int ? Math.trunc(x) : x))));
    return { data, bad, rows };
  }

  encode(recs: readonly unknown[]): Encoded {
    const m = this.m;
    switch (m.protocol) {
      case 'kserve-v2': {
        const { data, bad, rows } = this.tensors(recs);
        const inputs = this.inputs.map((inp, j) => ({ name: inp.name, shape: [rows.length, inp.features.length], datatype: m.datatype, data: data[j]!.flat() }));
        return { path: `/v2${this.modelPath()}/infer`, body: { inputs }, bad, rows };
      }
      case 'tf-serving': {
        const { data, bad, rows } = this.tensors(recs);
        const single = this.inputs.length === 1 && this.inputs[0]!.name === 'input';
        let body: unknown;
        if (m.layout === 'rows') body = { instances: single ? data[0] : rows.map((_, r) => Object.fromEntries(this.inputs.map((inp, j) => [inp.name, data[j]![r]]))) };
        else body = { inputs: single ? data[0] : Object.fromEntries(this.inputs.map((inp, j) => [inp.name, data[j]])) };
        return { path: `/v1${this.modelPath()}:predict`, body, bad, rows };
      }
      case 'mlflow': {
        const { data, bad, rows } = this.tensors(recs);
        const feats = this.inputs.flatMap((i) => i.features.map((f) => f.src));
        const flat = rows.map((_, r) => data.flatMap((d) => d[r]!));
        const body = m.layout === 'rows' ? { dataframe_split: { columns: feats, data: flat } } : { inputs: flat };
        return { path: '/invocations', body, bad, rows };
      }
      case 'openai': {
        const bad = new Map<number, string>();
        const rows: number[] = [];
        const values: unknown[] = [];
        recs.forEach((r, i) => {
          try {
            values.push(this.prompt!(r));
            rows.push(i);
          } catch (err) {
            bad.set(i, `prompt: ${err instanceof Error ? err.message : String(err)}`);
          }
        });
        if (m.mode === 'embeddings') return { path: '/embeddings', body: { model: m.name, input: values.map(String) }, bad, rows };
        const v = values[0];
        const messages = Array.isArray(v) ? v : [{ role: 'user', content: String(v) }];
        const body = { model: m.name, messages: m.system ? [{ role: 'system', content: m.system }, ...messages] : messages, ...(m.temperature === undefined ? {} : { temperature: m.temperature }) };
        return { path: '/chat/completions', body, bad, rows };
      }
      case 'json': {
        const bad = new Map<number, string>();
        const rows: number[] = [];
        const bodies: unknown[] = [];
        recs.forEach((r, i) => {
          try {
            bodies.push(this.request!(r));
            rows.push(i);
          } catch (err) {
            bad.set(i, `request: ${err instanceof Error ? err.message : String(err)}`);
          }
        });
        return { path: '', body: m.batched ? bodies : bodies[0], bad, rows };
      }
    }
  }

  decode(res: unknown, n: number): Decoded {
    const m = this.m;
    const o = (res ?? {}) as Record<string, unknown>;
    const cols = new Map<string, unknown[]>();
    const need = (what: string, v: unknown): unknown[] => {
      if (!Array.isArray(v)) fail(`the response has no ${what} array`);
      if (v.length !== n) fail(`the response's ${what} has ${v.length} entries for ${n} records`);
      return v;
    };
    switch (m.protocol) {
      case 'kserve-v2': {
        if (!Array.isArray(o.outputs)) fail('the response has no outputs');
        for (const t of o.outputs as { name?: unknown; shape?: unknown; data?: unknown }[]) {
          const shape = Array.isArray(t.shape) ? (t.shape as number[]) : [n];
          if (shape[0] !== n || !Array.isArray(t.data)) fail(`output '${String(t.name)}' has shape [${shape.join(', ')}] for ${n} records`);
          const w = shape.slice(1).reduce((a, b) => a * b, 1);
          const d = t.data as unknown[];
          cols.set(String(t.name), Array.from({ length: n }, (_, i) => (w === 1 && shape.length <= 2 ? d[i] : d.slice(i * w, i * w + w))));
        }
        return { cols, version: typeof o.model_version === 'string' ? o.model_version : (m.version ?? null) };
      }
      case 'tf-serving': {
        const out = o.predictions ?? o.outputs;
        if (out !== null && typeof out === 'object' && !Array.isArray(out)) {
          for (const [k, v] of Object.entries(out)) cols.set(k, need(`outputs.${k}`, v));
        } else cols.set('predictions', need('predictions', out));
        return { cols, version: m.version ?? null };
      }
      case 'mlflow': {
        const p = Array.isArray(res) ? res : o.predictions;
        cols.set('predictions', need('predictions', p));
        return { cols, version: null };
      }
      case 'openai': {
        if (m.mode === 'embeddings') {
          const data = need('data', o.data) as { index?: number; embedding?: unknown }[];
          const sorted = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
          cols.set('embedding', sorted.map((d) => d.embedding));
        } else {
          const c = (o.choices as { message?: { content?: unknown } }[] | undefined)?.[0]?.message?.content;
          if (c === undefined) fail('the response has no choices[0].message.content');
          cols.set('content', [c]);
        }
        return { cols, version: typeof o.model === 'string' ? o.model : null };
      }
      case 'json': {
        const v = dig(res, m.response);
        if (v === undefined) fail(`the response has nothing at '${m.response}'`);
        cols.set('result', m.batched ? need(m.response ?? 'response', v) : [v]);
        return { cols, version: m.version ?? null };
      }
    }
  }
}
