// Request and response shapes of the model-server protocols, as each documents them:
// - kserve-v2: Open Inference Protocol, REST (kserve.github.io/website › Open Inference Protocol):
//   POST /v2/models/{name}[/versions/{v}]/infer {inputs: [{name, shape, datatype, data}]} →
//   {model_name, model_version?, outputs: [{name, shape, datatype, data}]} (data row-major, flat).
//   With `binary`, Triton's binary tensor data extension (docs › protocol › extension_binary_data):
//   the JSON header's length in `Inference-Header-Content-Length`, each tensor's raw bytes after
//   it in order (`parameters.binary_data_size`), outputs asked for with `binary_data_output`.
// - tf-serving: REST API (tensorflow.org/tfx/serving/api_rest): POST /v1/models/{name}[/versions/{v}]:predict
//   {instances: [...]} → {predictions: [...]}, or {inputs: ...} → {outputs: ...}.
// - mlflow: scoring server (mlflow.org › Deploy MLflow models): POST /invocations
//   {dataframe_split: {columns, data}} or {inputs: [...]} → {predictions: [...]}.
// - openai: POST {base}/chat/completions {model, messages} → {model, choices: [{message: {content}}]};
//   POST {base}/embeddings {model, input: [...]} → {model, data: [{index, embedding}]}.
// - json: any JSON body from an expression, the result at a dotted path of the response.
// Numeric tensors are written as one flat array each (the JSON around them by hand), never built as
// arrays of row arrays: at thousands of rows a request, building those was most of the cost.
import { compileExpression } from '../../expr/index.js';
import { binaryTensorsRefusal, ELEMENT_BYTES, readBinaryTensor } from './binary-tensors.js';
import { compileFeatures, type FeatureSet } from './features.js';
import { ByteWriter, writeJsonArray } from './json-numbers.js';
import type { Protocol } from './spec.js';

export interface HttpModelParams {
  readonly protocol: Protocol;
  readonly name?: string | undefined;
  readonly version?: string | undefined;
  readonly datatype: 'FP32' | 'FP64' | 'INT64' | 'INT32';
  readonly binary: boolean;
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
  readonly body: string | Uint8Array;
  readonly headers: Readonly<Record<string, string | number>>;
  /** Records of the request that could not be encoded (a bad feature), by index. */
  readonly bad: Map<number, string>;
  /** Index in the request → index in the body's rows (records with bad features are left out). */
  readonly rows: readonly number[];
}

/** One output: `width` values per body row, row-major (a tensor), or one JSON value per row. */
export interface DecodedColumn {
  readonly data: ArrayLike<unknown>;
  readonly width: number;
  readonly tensor: boolean;
  /** Every value is a JS number (a numeric datatype): the call keeps them in a Float64Array. */
  readonly numeric: boolean;
}

export interface Decoded {
  readonly cols: Map<string, DecodedColumn>;
  readonly version: string | null;
}

const enc = encodeURIComponent;
const JSON_HEADERS = { 'content-type': 'application/json' };

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

/** Largest magnitudes each datatype holds: a value beyond would reach the server as infinity or wrapped. */
const LIMITS = { FP32: 3.4028235677973366e38, INT32: 2 ** 31, INT64: 2 ** 63 } as const;

/**
 * Marks rows with a value the tensor's datatype cannot hold (FP32 beyond ±3.4e38, integers
 * beyond 32 or 64 bits): sent anyway, the server would read infinity, a wrapped integer or refuse
 * the whole request; refused here, only that record goes to `errors`, saying which feature.
 */
function outOfRange(buf: Float64Array, set: FeatureSet, datatype: 'FP32' | 'INT32' | 'INT64', bad: Map<number, string>): void {
  const w = set.width;
  const lim = LIMITS[datatype];
  // FP32 rounds to nearest: up to half a step past the largest float32 still rounds down to it.
  const ok = datatype === 'FP32' ? (v: number) => v < lim && v > -lim : (v: number) => Math.trunc(v) < lim && Math.trunc(v) >= -lim;
  for (let k = 0; k < buf.length; k++) {
    const v = buf[k]!;
    if (ok(v)) continue;
    const row = (k / w) | 0;
    if (!bad.has(row)) bad.set(row, `feature ${JSON.stringify(set.features[k % w]!.src)} is ${v}, beyond what a ${datatype} tensor holds`);
  }
}

export class ProtocolCodec {
  private readonly inputs: { name: string; features: FeatureSet }[];
  private readonly prompt: ((rec: unknown) => unknown) | null;
  private readonly request: ((rec: unknown) => unknown) | null;
  private readonly scratch: Float64Array[] = [];

  constructor(
    private readonly m: HttpModelParams,
    features: { features?: readonly string[] | undefined; inputs?: Readonly<Record<string, readonly string[]>> | undefined },
  ) {
    const refusal = m.protocol === 'kserve-v2' && m.binary ? binaryTensorsRefusal() : null;
    if (refusal) throw new Error(refusal);
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

  /**
   * One flat row-major tensor per input (good rows only, packed), the records with a bad feature
   * left out. Integer datatypes are truncated here, as the server would.
   */
  private tensors(recs: readonly unknown[]): { data: Float64Array[]; bad: Map<number, string>; rows: number[] } {
    const bad = new Map<number, string>();
    const bufs = this.inputs.map((inp, j) => {
      // One buffer per input, reused: a request's tensor is read before encode returns.
      const size = recs.length * inp.features.width;
      let buf = this.scratch[j];
      if (buf === undefined || buf.length < size) buf = this.scratch[j] = new Float64Array(size);
      else buf = buf.subarray(0, size);
      const b = inp.features.fill(recs, 0, recs.length, buf);
      if (b) for (const [k, v] of b) if (!bad.has(k)) bad.set(k, v);
      if (this.m.protocol === 'kserve-v2' && this.m.datatype !== 'FP64') outOfRange(buf, inp.features, this.m.datatype, bad);
      return buf;
    });
    const rows: number[] = new Array(recs.length - bad.size);
    for (let i = 0, r = 0; i < recs.length; i++) if (bad.size === 0 || !bad.has(i)) rows[r++] = i;
    const int = this.m.protocol === 'kserve-v2' && (this.m.datatype === 'INT64' || this.m.datatype === 'INT32');
    const data = bufs.map((buf, j) => {
      const w = this.inputs[j]!.features.width;
      if (bad.size > 0) rows.forEach((i, r) => buf.copyWithin(r * w, i * w, i * w + w));
      const packed = buf.subarray(0, rows.length * w);
      if (int) for (let k = 0; k < packed.length; k++) packed[k] = Math.trunc(packed[k]!);
      return packed;
    });
    return { data, bad, rows };
  }

  /** Rows of a flat tensor as arrays (the row-wise protocols' JSON). */
  private static rowArrays(data: Float64Array, w: number): number[][] {
    const out: number[][] = new Array(data.length / w);
    for (let r = 0; r < out.length; r++) out[r] = Array.from(data.subarray(r * w, r * w + w));
    return out;
  }

  private kserve(recs: readonly unknown[], w: ByteWriter): Encoded {
    const m = this.m;
    const { data, bad, rows } = this.tensors(recs);
    const path = `/v2${this.modelPath()}/infer`;
    const head = (j: number) => `{"name":${JSON.stringify(this.inputs[j]!.name)},"shape":[${rows.length},${this.inputs[j]!.features.width}],"datatype":"${m.datatype}"`;
    if (!m.binary) {
      // Straight into the request's bytes (json-numbers.ts), never one big string to encode again.
      w.at = 0;
      w.ascii('{"inputs":[');
      data.forEach((d, j) => {
        if (j > 0) w.byte(44);
        w.text(`${head(j)},"data":`);
        writeJsonArray(w, d, m.datatype);
        w.byte(125);
      });
      w.ascii(']}');
      return { path, body: w.bytes(), headers: JSON_HEADERS, bad, rows };
    }
    const raw = data.map((d) => {
      switch (m.datatype) {
        case 'FP64': return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
        case 'FP32': return new Uint8Array(Float32Array.from(d).buffer);
        case 'INT32': return new Uint8Array(Int32Array.from(d).buffer);
        case 'INT64': return new Uint8Array(BigInt64Array.from(d, (x) => BigInt(x)).buffer);
      }
    });
    const inputs = raw.map((r, j) => `${head(j)},"parameters":{"binary_data_size":${r.byteLength}}}`);
    const json = Buffer.from(`{"inputs":[${inputs.join(',')}],"parameters":{"binary_data_output":true}}`, 'utf8');
    const body = Buffer.concat([json, ...raw]);
    return { path, body, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': json.byteLength }, bad, rows };
  }

  /** `w` holds the body when it is written as bytes: it must outlive the request. */
  encode(recs: readonly unknown[], w: ByteWriter = new ByteWriter()): Encoded {
    const m = this.m;
    switch (m.protocol) {
      case 'kserve-v2':
        return this.kserve(recs, w);
      case 'tf-serving': {
        const { data, bad, rows } = this.tensors(recs);
        const arrays = data.map((d, j) => ProtocolCodec.rowArrays(d, this.inputs[j]!.features.width));
        const single = this.inputs.length === 1 && this.inputs[0]!.name === 'input';
        let body: unknown;
        if (m.layout === 'rows') body = { instances: single ? arrays[0] : rows.map((_, r) => Object.fromEntries(this.inputs.map((inp, j) => [inp.name, arrays[j]![r]]))) };
        else body = { inputs: single ? arrays[0] : Object.fromEntries(this.inputs.map((inp, j) => [inp.name, arrays[j]])) };
        return { path: `/v1${this.modelPath()}:predict`, body: JSON.stringify(body), headers: JSON_HEADERS, bad, rows };
      }
      case 'mlflow': {
        const { data, bad, rows } = this.tensors(recs);
        const arrays = data.map((d, j) => ProtocolCodec.rowArrays(d, this.inputs[j]!.features.width));
        const feats = this.inputs.flatMap((i) => i.features.features.map((f) => f.src));
        const flat = rows.map((_, r) => arrays.flatMap((d) => d[r]!));
        const body = m.layout === 'rows' ? { dataframe_split: { columns: feats, data: flat } } : { inputs: flat };
        return { path: '/invocations', body: JSON.stringify(body), headers: JSON_HEADERS, bad, rows };
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
        if (m.mode === 'embeddings') return { path: '/embeddings', body: JSON.stringify({ model: m.name, input: values.map(String) }), headers: JSON_HEADERS, bad, rows };
        const v = values[0];
        const messages = Array.isArray(v) ? v : [{ role: 'user', content: String(v) }];
        const body = { model: m.name, messages: m.system ? [{ role: 'system', content: m.system }, ...messages] : messages, ...(m.temperature === undefined ? {} : { temperature: m.temperature }) };
        return { path: '/chat/completions', body: JSON.stringify(body), headers: JSON_HEADERS, bad, rows };
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
        return { path: '', body: JSON.stringify(m.batched ? bodies : bodies[0]) ?? 'null', headers: JSON_HEADERS, bad, rows };
      }
    }
  }

  /** Reads a response body (JSON, or kserve-v2's JSON header and binary tensors) for `n` rows. */
  decode(body: Buffer, headerLength: string | undefined, n: number): Decoded {
    let json: unknown;
    const split = headerLength === undefined ? body.length : Number(headerLength);
    if (!Number.isInteger(split) || split < 0 || split > body.length) fail(`the response's Inference-Header-Content-Length (${headerLength}) does not fit its ${body.length} bytes`);
    try {
      json = JSON.parse(body.toString('utf8', 0, split));
    } catch {
      fail('the response is not JSON');
    }
    return this.decodeJson(json, n, body.subarray(split));
  }

  private decodeJson(res: unknown, n: number, binary: Uint8Array): Decoded {
    const m = this.m;
    const o = (res ?? {}) as Record<string, unknown>;
    const cols = new Map<string, DecodedColumn>();
    const need = (what: string, v: unknown): unknown[] => {
      if (!Array.isArray(v)) fail(`the response has no ${what} array`);
      if (v.length !== n) fail(`the response's ${what} has ${v.length} entries for ${n} records`);
      return v;
    };
    const rowsOf = (data: unknown[]): DecodedColumn => ({ data, width: 1, tensor: false, numeric: false });
    switch (m.protocol) {
      case 'kserve-v2': {
        if (!Array.isArray(o.outputs)) fail('the response has no outputs');
        let at = 0;
        for (const t of o.outputs as { name?: unknown; shape?: unknown; datatype?: unknown; data?: unknown; parameters?: { binary_data_size?: unknown } }[]) {
          const name = String(t.name);
          const shape = Array.isArray(t.shape) ? (t.shape as number[]) : [n];
          const w = shape.slice(1).reduce((a, b) => a * b, 1);
          if (shape[0] !== n) fail(`output '${name}' has shape [${shape.join(', ')}] for ${n} records`);
          let data: ArrayLike<unknown>;
          let numeric = false;
          const size = t.parameters?.binary_data_size;
          if (size !== undefined) {
            if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) fail(`output '${name}' has binary_data_size ${JSON.stringify(size)}`);
            if (at + size > binary.length) fail(`output '${name}' says it has ${size} bytes; the response has ${binary.length - at} left`);
            const per = ELEMENT_BYTES[String(t.datatype)];
            if (per !== undefined && size !== per * n * w) fail(`output '${name}' has ${size} bytes for shape [${shape.join(', ')}] of ${String(t.datatype)}`);
            data = readBinaryTensor(String(t.datatype), binary.subarray(at, at + size), `output '${name}'`);
            // Typed arrays of numbers go unboxed; BigInts (64-bit integers), booleans and strings do not.
            numeric = ArrayBuffer.isView(data) && !(data instanceof BigInt64Array || data instanceof BigUint64Array);
            at += size;
          } else {
            if (!Array.isArray(t.data)) fail(`output '${name}' has no data`);
            data = t.data as unknown[];
            numeric = /^(FP|INT|UINT)\d+$/.test(String(t.datatype)) && (data as unknown[]).every((v) => typeof v === 'number');
          }
          if (data.length !== n * w) fail(`output '${name}' has ${data.length} values for shape [${shape.join(', ')}]`);
          cols.set(name, { data, width: w, tensor: true, numeric });
        }
        return { cols, version: typeof o.model_version === 'string' ? o.model_version : (m.version ?? null) };
      }
      case 'tf-serving': {
        const out = o.predictions ?? o.outputs;
        if (out !== null && typeof out === 'object' && !Array.isArray(out)) {
          for (const [k, v] of Object.entries(out)) cols.set(k, rowsOf(need(`outputs.${k}`, v)));
        } else cols.set('predictions', rowsOf(need('predictions', out)));
        return { cols, version: m.version ?? null };
      }
      case 'mlflow': {
        const p = Array.isArray(res) ? res : o.predictions;
        cols.set('predictions', rowsOf(need('predictions', p)));
        return { cols, version: null };
      }
      case 'openai': {
        if (m.mode === 'embeddings') {
          const data = need('data', o.data) as { index?: number; embedding?: unknown }[];
          const sorted = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
          cols.set('embedding', rowsOf(sorted.map((d) => d.embedding)));
        } else {
          const c = (o.choices as { message?: { content?: unknown } }[] | undefined)?.[0]?.message?.content;
          if (c === undefined) fail('the response has no choices[0].message.content');
          cols.set('content', rowsOf([c]));
        }
        return { cols, version: typeof o.model === 'string' ? o.model : null };
      }
      case 'json': {
        const v = dig(res, m.response);
        if (v === undefined) fail(`the response has nothing at '${m.response}'`);
        cols.set('result', rowsOf(m.batched ? need(m.response ?? 'response', v) : [v]));
        return { cols, version: m.version ?? null };
      }
    }
  }
}
