// Similarity over item embeddings: exact top-k by cosine. Vectors are normalised once at load, so
// cosine is a dot product; a batch of queries makes one pass over the index (item-major: each
// item's vector is read once per batch, not once per query), keeping a small sorted top-k per query.
// Cost is items × dims multiply-adds per query (1M × 64 ≈ 64M): exact, not approximate.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { compileExpression } from '../../expr/index.js';
import type { ScoredBatch } from './onnx-model.js';
import { rowsColumn } from './outputs.js';
import { pickleRefusal } from './spec.js';

export interface EmbeddingsParams {
  readonly query: string;
  readonly k: number;
  readonly excludeQuery: boolean;
}

function normalise(v: Float32Array, at = 0, dims = v.length): boolean {
  let s = 0;
  for (let i = 0; i < dims; i++) s += v[at + i]! * v[at + i]!;
  if (!(s > 0)) return false;
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < dims; i++) v[at + i]! *= inv;
  return true;
}

export class EmbeddingIndex {
  private readonly rowOf = new Map<string, number>();

  private constructor(
    readonly version: string,
    private readonly ids: readonly (string | number)[],
    private readonly vectors: Float32Array,
    readonly dims: number,
    private readonly query: (rec: unknown) => unknown,
    private readonly k: number,
    private readonly excludeQuery: boolean,
  ) {
    ids.forEach((id, i) => this.rowOf.set(String(id), i));
  }

  get size(): number {
    return this.ids.length;
  }

  static async load(path: string, p: EmbeddingsParams): Promise<EmbeddingIndex> {
    const refusal = pickleRefusal(path);
    if (refusal) throw new Error(refusal);
    const raw = await readFile(path);
    const hash = createHash('sha256').update(raw);
    let ids: (string | number)[];
    let vectors: Float32Array;
    let dims: number;
    if (path.toLowerCase().endsWith('.f32')) {
      const idsFile = path.slice(0, -4) + '.ids';
      const idText = await readFile(idsFile, 'utf8');
      hash.update(idText);
      ids = idText.split('\n').filter((l) => l.length > 0);
      if (ids.length === 0) throw new Error(`${idsFile} lists no ids`);
      if (raw.byteLength % (4 * ids.length) !== 0) throw new Error(`${path} holds ${raw.byteLength} bytes, not a whole number of float32 rows for the ${ids.length} ids in ${idsFile}`);
      dims = raw.byteLength / 4 / ids.length;
      vectors = new Float32Array(raw.byteLength / 4);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (let i = 0; i < vectors.length; i++) vectors[i] = view.getFloat32(i * 4, true);
    } else {
      const lines = raw.toString('utf8').split('\n');
      const rows: { id: string | number; vector: number[] }[] = [];
      lines.forEach((l, n) => {
        if (l.trim() === '') return;
        let o: { id?: unknown; vector?: unknown };
        try {
          o = JSON.parse(l) as typeof o;
        } catch {
          throw new Error(`${path} line ${n + 1} is not JSON`);
        }
        if ((typeof o.id !== 'string' && typeof o.id !== 'number') || !Array.isArray(o.vector) || !o.vector.every((x) => typeof x === 'number')) {
          throw new Error(`${path} line ${n + 1}: expected {"id": string or number, "vector": [numbers]}`);
        }
        rows.push({ id: o.id, vector: o.vector as number[] });
      });
      if (rows.length === 0) throw new Error(`${path} holds no embeddings`);
      dims = rows[0]!.vector.length;
      vectors = new Float32Array(rows.length * dims);
      rows.forEach((r, i) => {
        if (r.vector.length !== dims) throw new Error(`${path}: item ${JSON.stringify(r.id)} has ${r.vector.length} dimensions, the first item ${dims}`);
        vectors.set(r.vector, i * dims);
      });
      ids = rows.map((r) => r.id);
    }
    for (let i = 0; i < ids.length; i++) normalise(vectors, i * dims, dims);
    return new EmbeddingIndex(hash.digest('hex').slice(0, 12), ids, vectors, dims, compileExpression(p.query) as (rec: unknown) => unknown, p.k, p.excludeQuery);
  }

  async score(recs: readonly unknown[], from: number, to: number): Promise<ScoredBatch> {
    const D = this.dims;
    const bad = new Map<number, string>();
    const queries: { row: number; vec: Float32Array; self: number }[] = [];
    for (let i = from; i < to; i++) {
      let q: unknown;
      try {
        q = this.query(recs[i]);
      } catch (err) {
        bad.set(i - from, `query: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      if (typeof q === 'string' || typeof q === 'number') {
        const r = this.rowOf.get(String(q));
        if (r === undefined) {
          bad.set(i - from, `item ${JSON.stringify(q)} is not in the embeddings index`);
          continue;
        }
        queries.push({ row: i - from, vec: this.vectors.subarray(r * D, r * D + D), self: this.excludeQuery ? r : -1 });
      } else if (Array.isArray(q) && q.length === D && q.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        const v = Float32Array.from(q as number[]);
        if (!normalise(v)) bad.set(i - from, 'the query vector is all zeros');
        else queries.push({ row: i - from, vec: v, self: -1 });
      } else {
        bad.set(i - from, `the query must be an item id or an array of ${D} numbers`);
      }
    }
    const Q = queries.length;
    const k = Math.min(this.k, this.ids.length);
    // Per query: the k best scores (descending) and their rows.
    const topS = new Float32Array(Q * k).fill(-Infinity);
    const topR = new Int32Array(Q * k).fill(-1);
    const V = this.vectors;
    const N = this.ids.length;
    for (let r = 0; r < N; r++) {
      const base = r * D;
      for (let qi = 0; qi < Q; qi++) {
        const q = queries[qi]!;
        if (q.self === r) continue;
        const qv = q.vec;
        let s = 0;
        for (let d = 0; d < D; d++) s += V[base + d]! * qv[d]!;
        const o = qi * k;
        if (s <= topS[o + k - 1]!) continue;
        let j = k - 1;
        while (j > 0 && topS[o + j - 1]! < s) {
          topS[o + j] = topS[o + j - 1]!;
          topR[o + j] = topR[o + j - 1]!;
          j--;
        }
        topS[o + j] = s;
        topR[o + j] = r;
      }
    }
    const n = to - from;
    const neighbours: unknown[] = new Array(n).fill(null);
    const ids: unknown[] = new Array(n).fill(null);
    const scores: unknown[] = new Array(n).fill(null);
    queries.forEach((q, qi) => {
      const nb: { id: string | number; score: number }[] = [];
      for (let j = 0; j < k; j++) {
        const r = topR[qi * k + j]!;
        if (r >= 0) nb.push({ id: this.ids[r]!, score: topS[qi * k + j]! });
      }
      neighbours[q.row] = nb;
      ids[q.row] = nb.map((x) => x.id);
      scores[q.row] = nb.map((x) => x.score);
    });
    return { cols: new Map([['neighbours', rowsColumn(neighbours)], ['ids', rowsColumn(ids)], ['scores', rowsColumn(scores)]]), version: this.version, bad: bad.size > 0 ? bad : null };
  }

  async release(): Promise<void> {}
}
