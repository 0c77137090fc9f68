// Two independent 32-bit hashes of a key value (string, number or boolean) for the sketches:
// MurmurHash3 x86_32 (Appleby) over UTF-16 code units, with two seeds. No allocation per call:
// results land in `H1`/`H2`. Numbers hash by their IEEE-754 bits, so 1 and '1' differ.

export let H1 = 0;
export let H2 = 0;

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function mixK(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function murmurString(s: string, seed: number): number {
  let h = seed;
  const n = s.length;
  let i = 0;
  // Two UTF-16 units per 32-bit block.
  for (; i + 1 < n; i += 2) h = mixH(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) h ^= mixK(s.charCodeAt(i));
  return fmix(h ^ (n * 2));
}

function murmurWords(a: number, b: number, tag: number, seed: number): number {
  let h = mixH(seed, a);
  h = mixH(h, b);
  h = mixH(h, tag);
  return fmix(h ^ 12);
}

/** Hash `v` into H1 and H2. */
export function hash2(v: unknown): void {
  if (typeof v === 'string') {
    H1 = murmurString(v, 0x9747b28c);
    H2 = murmurString(v, 0x5bd1e995);
  } else if (typeof v === 'number') {
    F64[0] = v;
    H1 = murmurWords(U32[0]!, U32[1]!, 1, 0x9747b28c);
    H2 = murmurWords(U32[0]!, U32[1]!, 1, 0x5bd1e995);
  } else {
    const b = v === true ? 1 : 0;
    H1 = murmurWords(b, 0, 2, 0x9747b28c);
    H2 = murmurWords(b, 0, 2, 0x5bd1e995);
  }
}
