// Key groups exactly as Flink assigns them (org.apache.flink.runtime.state.KeyGroupRangeAssignment):
// a key's group is murmurHash(key.hashCode()) % maxParallelism, and group g belongs to operator
// instance g * parallelism / maxParallelism, so each instance owns one contiguous range of groups
// and state can later move between parallelisms a whole group at a time.
//
// Java's hashCode does not exist for JavaScript values, so keys hash as the Java value the Flink
// job holds for them (its keys are the JavaScript-shaped values of `Rec.key`):
//   string  → java.lang.String.hashCode (over UTF-16 code units, as JavaScript strings are)
//   number  → java.lang.Double.hashCode (bits ^ bits >>> 32; -0 and NaN as Java's doubleToLongBits)
//   boolean → java.lang.Boolean.hashCode (1231 / 1237)
//   null / undefined → 0 (Flink's window translator keys them by one constant; any fixed group works)
//   anything else (arrays, objects) → String.hashCode of its JSON text, stable across runs.

/** Flink's default lower bound for the number of key groups (KeyGroupRangeAssignment.DEFAULT_LOWER_BOUND_MAX_PARALLELISM). */
export const DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 128;
/** Flink's upper bound (KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM = Short.MAX_VALUE + 1). */
export const UPPER_BOUND_MAX_PARALLELISM = 32768;

/**
 * KeyGroupRangeAssignment.computeDefaultMaxParallelism: parallelism + parallelism / 2 (Java's int
 * division) rounded up to a power of two, in [128, 32768].
 */
export function defaultMaxParallelism(parallelism: number): number {
  let p = 1;
  const want = parallelism + Math.floor(parallelism / 2);
  while (p < want) p *= 2;
  return Math.min(Math.max(p, DEFAULT_LOWER_BOUND_MAX_PARALLELISM), UPPER_BOUND_MAX_PARALLELISM);
}

/** java.lang.String.hashCode. */
export function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** java.lang.Double.hashCode: the high and low words of doubleToLongBits, xor-ed. */
export function doubleHash(x: number): number {
  if (Number.isNaN(x)) return 0x7ff80000; // doubleToLongBits collapses every NaN to 0x7ff8000000000000
  f64[0] = x;
  const lo = u32[LITTLE ? 0 : 1]!;
  const hi = u32[LITTLE ? 1 : 0]!;
  return (hi ^ lo) | 0;
}

/** The Java hashCode of the value the Flink job would hold for this key (see the table above). */
export function keyHash(key: unknown): number {
  switch (typeof key) {
    case 'string':
      return stringHash(key);
    case 'number':
      return doubleHash(key);
    case 'boolean':
      return key ? 1231 : 1237;
    case 'bigint':
      return stringHash(key.toString());
    default:
      if (key === null || key === undefined) return 0;
      return stringHash(JSON.stringify(key) ?? String(key));
  }
}

/** org.apache.flink.util.MathUtils.murmurHash: one round of murmur3 over an int, made non-negative. */
export function murmurHash(code: number): number {
  code = Math.imul(code, 0xcc9e2d51);
  code = (code << 15) | (code >>> 17);
  code = Math.imul(code, 0x1b873593);
  code = (code << 13) | (code >>> 19);
  code = (Math.imul(code, 5) + 0xe6546b64) | 0;
  code ^= 4;
  code ^= code >>> 16;
  code = Math.imul(code, 0x85ebca6b);
  code ^= code >>> 13;
  code = Math.imul(code, 0xc2b2ae35);
  code ^= code >>> 16;
  if (code >= 0) return code;
  return code !== -2147483648 ? -code : 0;
}

/** KeyGroupRangeAssignment.assignToKeyGroup. */
export function assignToKeyGroup(key: unknown, maxParallelism: number): number {
  return murmurHash(keyHash(key)) % maxParallelism;
}

/** KeyGroupRangeAssignment.computeOperatorIndexForKeyGroup. */
export function operatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex: the groups instance `index` owns, inclusive. */
export function keyGroupRange(maxParallelism: number, parallelism: number, index: number): { start: number; end: number } {
  return { start: Math.floor((index * maxParallelism + parallelism - 1) / parallelism), end: Math.floor(((index + 1) * maxParallelism - 1) / parallelism) };
}
