// HyperLogLog (Flajolet, Fusy, Gandouet, Meunier 2007) for `approxCountDistinct`. The register
// index comes from the top p bits of one 32-bit hash and the rank from a second, independent
// 32-bit hash, so ranks reach 33 and no large-range correction is needed below ~2^32 values.
// Small sets stay exact: values are kept as a set of hashes until that set would outweigh the
// registers (most keys of a keyed window see few distinct values).
import { H1, H2, hash2 } from './hash.js';

/** Sparse entries: the index hash and the top 21 bits of the rank hash, in one safe integer. */
const RANK_BITS = 21;
const SPARSE_ENTRY_BYTES = 40;

export interface HllJSON {
  p: number;
  sparse: number[] | null;
  registers: number[] | null;
}

export class HyperLogLog {
  private sparse: Set<number> | null = new Set();
  private regs: Uint8Array | null = null;
  private readonly m: number;

  constructor(readonly p = 12) {
    if (!Number.isInteger(p) || p < 4 || p > 16) throw new Error(`HyperLogLog precision must be 4..16, got ${p}`);
    this.m = 1 << p;
  }

  add(value: unknown): void {
    hash2(value);
    this.addHash(H1, H2);
  }

  addHash(h1: number, h2: number): void {
    if (this.sparse !== null) {
      this.sparse.add(h1 * 2 ** RANK_BITS + (h2 >>> (32 - RANK_BITS)));
      if (this.sparse.size * SPARSE_ENTRY_BYTES > this.m) this.densify();
      return;
    }
    this.set(h1, h2);
  }

  private set(h1: number, h2: number): void {
    const j = h1 >>> (32 - this.p);
    const rank = Math.clz32(h2) + 1;
    if (rank > this.regs![j]!) this.regs![j] = rank;
  }

  private densify(): void {
    this.regs = new Uint8Array(this.m);
    for (const e of this.sparse!) {
      const h1 = Math.floor(e / 2 ** RANK_BITS);
      const h2 = ((e % 2 ** RANK_BITS) << (32 - RANK_BITS)) >>> 0;
      this.set(h1, h2);
    }
    this.sparse = null;
  }

  estimate(): number {
    if (this.sparse !== null) return this.sparse.size;
    const m = this.m;
    let sum = 0;
    let zeros = 0;
    for (let j = 0; j < m; j++) {
      const r = this.regs![j]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
    const e = (alpha * m * m) / sum;
    // Small-range correction: linear counting while registers are still empty.
    if (e <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    return Math.round(e);
  }

  merge(other: HyperLogLog): void {
    if (other.p !== this.p) throw new Error(`cannot merge HyperLogLogs of precision ${this.p} and ${other.p}`);
    if (other.sparse !== null) {
      for (const e of other.sparse) {
        if (this.sparse !== null) {
          this.sparse.add(e);
          if (this.sparse.size * SPARSE_ENTRY_BYTES > this.m) this.densify();
        } else {
          this.set(Math.floor(e / 2 ** RANK_BITS), ((e % 2 ** RANK_BITS) << (32 - RANK_BITS)) >>> 0);
        }
      }
      return;
    }
    if (this.sparse !== null) this.densify();
    const a = this.regs!;
    const b = other.regs!;
    for (let j = 0; j < this.m; j++) if (b[j]! > a[j]!) a[j] = b[j]!;
  }

  bytes(): number {
    return this.sparse !== null ? 80 + this.sparse.size * SPARSE_ENTRY_BYTES : 80 + this.m;
  }

  toJSON(): HllJSON {
    return { p: this.p, sparse: this.sparse && [...this.sparse], registers: this.regs && Array.from(this.regs) };
  }

  static fromJSON(x: HllJSON): HyperLogLog {
    const h = new HyperLogLog(x.p);
    if (x.registers !== null) {
      h.sparse = null;
      h.regs = Uint8Array.from(x.registers);
    } else {
      h.sparse = new Set(x.sparse ?? []);
    }
    return h;
  }
}
