// An ONNX model in-process (onnxruntime-node, CPU). One session.run per batch: every input's
// features go into one row-major tensor. The loaded model is immutable; a reload builds a new one
// beside it and the caller swaps them between batches (hot-reload.ts).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { allocate, compileFeatures, type ElementType, type FeatureSet, type NumericArray } from './features.js';
import { prepareOnnx, type OnnxModelInfo } from './onnx-proto.js';
import { type OutputColumn, tensorColumn, zipMapColumn } from './outputs.js';
import { pickleRefusal } from './spec.js';

export interface TensorInfo {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string)[];
}

/** What the editor shows about a model (and the host's modelInfo call returns). */
export interface ModelDescription extends Omit<OnnxModelInfo, 'zipMaps'> {
  readonly version: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly (TensorInfo & { readonly zipMapLabels?: readonly (string | number)[] })[];
}

export interface ScoredBatch {
  readonly cols: ReadonlyMap<string, OutputColumn>;
  readonly version: string;
  /** Rows that could not be scored, with the reason. */
  readonly bad: ReadonlyMap<number, string> | null;
}

const ELEMENT: Record<string, ElementType> = { float32: 'float32', float64: 'float64', int32: 'int32', int64: 'int64' };

function versionOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}

export class OnnxModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly description: ModelDescription,
    private readonly feeds: readonly { name: string; type: ElementType; features: FeatureSet }[],
    private readonly zipMaps: ReadonlyMap<string, readonly (string | number)[]>,
  ) {}

  get version(): string {
    return this.description.version;
  }

  /** Reads the file's header: inputs, outputs, producer (no features needed). */
  static async describe(path: string, threads = 1): Promise<ModelDescription> {
    const { session, description } = await OnnxModel.open(path, threads);
    await session.release();
    return description;
  }

  private static async open(path: string, threads: number): Promise<{ session: ort.InferenceSession; description: ModelDescription; zip: Map<string, readonly (string | number)[]> }> {
    const refusal = pickleRefusal(path);
    if (refusal) throw new Error(refusal);
    const raw = new Uint8Array(await readFile(path));
    let prepared: ReturnType<typeof prepareOnnx>;
    try {
      prepared = prepareOnnx(raw);
    } catch (err) {
      throw new Error(`${path} is not an ONNX model (${err instanceof Error ? err.message : String(err)})`);
    }
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(prepared.bytes, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (err) {
      throw new Error(`${path} could not be loaded as an ONNX model: ${err instanceof Error ? err.message : String(err)}`);
    }
    const zip = new Map(prepared.info.zipMaps.map((z) => [z.output, z.labels]));
    const meta = (m: ort.InferenceSession.ValueMetadata): TensorInfo => ({ name: m.name, type: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? [...m.shape] : [] });
    const { zipMaps: _z, ...header } = prepared.info;
    const description: ModelDescription = {
      ...header,
      version: versionOf(raw),
      inputs: session.inputMetadata.map(meta),
      outputs: session.outputMetadata.map((m) => {
        const labels = zip.get(m.name);
        return labels ? { name: m.name, type: 'map(label → float32) (ZipMap)', shape: [], zipMapLabels: labels } : meta(m);
      }),
    };
    return { session, description, zip };
  }

  /**
   * Loads and warms up a model for these features: `inputs` maps input names to their feature
   * expressions; a lone `features` list feeds the model's first input.
   */
  static async load(path: string, threads: number, features: { features?: readonly string[]; inputs?: Readonly<Record<string, readonly string[]>> }): Promise<OnnxModel> {
    const { session, description, zip } = await OnnxModel.open(path, threads);
    try {
      const wanted: Record<string, readonly string[]> = features.inputs ?? { [description.inputs[0]?.name ?? 'input']: features.features ?? [] };
      const feeds = Object.entries(wanted).map(([name, srcs]) => {
        const info = description.inputs.find((i) => i.name === name);
        if (!info) throw new Error(`the model has no input '${name}' (its inputs: ${description.inputs.map((i) => i.name).join(', ')})`);
        const type = ELEMENT[info.type];
        if (!type) throw new Error(`input '${name}' is ${info.type}; the node feeds float, double, int32 or int64 tensors`);
        if (info.shape.length !== 2) throw new Error(`input '${name}' has shape [${info.shape.join(', ')}]; the node feeds [batch, features] tensors`);
        const width = info.shape[1];
        if (typeof width === 'number' && width !== srcs.length) throw new Error(`input '${name}' takes ${width} features per row, the node gives ${srcs.length}`);
        return { name, type, features: compileFeatures(srcs) };
      });
      const missing = description.inputs.filter((i) => !feeds.some((f) => f.name === i.name));
      if (missing.length > 0) throw new Error(`no features for the model's input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m.name}'`).join(', ')}; give them in 'inputs'`);
      const model = new OnnxModel(session, description, feeds, zip);
      // Warm-up: the first run allocates and plans; do it before the model takes traffic.
      await model.runRaw(feeds.map((f) => allocate(f.type, f.features.width)), 1);
      return model;
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  private async runRaw(data: readonly NumericArray[], rows: number): Promise<ort.InferenceSession.OnnxValueMapType> {
    const feeds: Record<string, ort.Tensor> = {};
    this.feeds.forEach((f, i) => {
      feeds[f.name] = new ort.Tensor(f.type, data[i]!, [rows, f.features.width]);
    });
    return this.session.run(feeds);
  }

  /**
   * Input buffers, kept between runs: a fresh 4,096 × 20 float tensor per run is 320 KB of
   * off-heap memory a batch, which V8 counts towards collecting garbage sooner. A run owns its
   * buffers until it resolves (the input tensor is only read during the run); runs that overlap
   * take fresh ones.
   */
  private spare: NumericArray[][] = [];

  /** Scores recs[from..to) in one run. */
  async score(recs: readonly unknown[], from: number, to: number): Promise<ScoredBatch> {
    const rows = to - from;
    let bad: Map<number, string> | null = null;
    const got = this.spare.pop();
    const full = this.feeds.map((f, i) => {
      const b = got?.[i];
      return b !== undefined && b.length >= rows * f.features.width ? b : allocate(f.type, rows * f.features.width);
    });
    const data = full.map((b, i) => {
      const n = rows * this.feeds[i]!.features.width;
      return b.length === n ? b : b.subarray(0, n);
    });
    this.feeds.forEach((f, i) => {
      const b = f.features.fill(recs, from, to, data[i]!);
      if (b) {
        bad ??= new Map();
        for (const [k, v] of b) if (!bad.has(k)) bad.set(k, v);
      }
    });
    let res: ort.InferenceSession.OnnxValueMapType;
    try {
      res = await this.runRaw(data, rows);
    } finally {
      if (this.spare.length < 2) this.spare.push(full);
    }
    const cols = new Map<string, OutputColumn>();
    for (const [name, v] of Object.entries(res)) {
      const t = v as ort.Tensor;
      const labels = this.zipMaps.get(name);
      cols.set(name, labels ? zipMapColumn(t.data as Float32Array, labels) : tensorColumn(t.data as Float32Array, t.dims));
    }
    return { cols, version: this.version, bad };
  }

  outputNames(): string[] {
    return this.description.outputs.map((o) => o.name);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
