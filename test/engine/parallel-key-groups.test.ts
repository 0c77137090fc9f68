// Key groups as Flink's KeyGroupRangeAssignment computes them, over Java's hashCode of the key.
import { describe, expect, it } from 'vitest';
import { assignToKeyGroup, defaultMaxParallelism, doubleHash, keyGroupRange, keyHash, murmurHash, operatorIndexForKeyGroup, stringHash } from '../../runtime/engine/parallel/key-groups.js';

describe('key groups', () => {
  it("hashes strings, numbers and booleans as Java's hashCode does", () => {
    expect(stringHash('')).toBe(0);
    expect(stringHash('a')).toBe(97);
    expect(stringHash('hello')).toBe(99162322);
    expect(stringHash('polygenelubricants')).toBe(-2147483648); // a well-known Integer.MIN_VALUE hash
    expect(doubleHash(1)).toBe(1072693248);
    expect(doubleHash(0)).toBe(0);
    expect(doubleHash(-0)).toBe(-2147483648);
    expect(keyHash(true)).toBe(1231);
    expect(keyHash(false)).toBe(1237);
    expect(keyHash(null)).toBe(0);
    expect(keyHash(['a', 1])).toBe(stringHash('["a",1]'));
  });

  it('murmur-hashes to a non-negative int, Integer.MIN_VALUE included', () => {
    for (const c of [0, 1, -1, 97, 2147483647, -2147483648, 99162322]) {
      const h = murmurHash(c);
      expect(Number.isInteger(h) && h >= 0 && h <= 2147483647).toBe(true);
    }
    expect(murmurHash(97)).toBe(murmurHash(97));
    expect(murmurHash(1)).not.toBe(murmurHash(2));
  });

  it('uses 128 key groups up to parallelism 85, as Flink', () => {
    expect(defaultMaxParallelism(1)).toBe(128);
    expect(defaultMaxParallelism(85)).toBe(128);
    expect(defaultMaxParallelism(86)).toBe(256);
    // Java's int division: 171 + 171 / 2 = 256, already a power of two.
    expect(defaultMaxParallelism(170)).toBe(256);
    expect(defaultMaxParallelism(171)).toBe(256);
    expect(defaultMaxParallelism(172)).toBe(512);
    expect(defaultMaxParallelism(683)).toBe(1024);
  });

  it('gives each instance the contiguous range of groups the operator index assigns it', () => {
    for (const p of [1, 2, 3, 4, 7]) {
      let next = 0;
      for (let i = 0; i < p; i++) {
        const r = keyGroupRange(128, p, i);
        expect(r.start).toBe(next);
        for (let g = r.start; g <= r.end; g++) expect(operatorIndexForKeyGroup(128, p, g)).toBe(i);
        next = r.end + 1;
      }
      expect(next).toBe(128);
    }
  });

  it('spreads user keys evenly over key groups', () => {
    const counts = new Array(128).fill(0);
    for (let u = 0; u < 100_000; u++) counts[assignToKeyGroup(`user-${u}`, 128)]++;
    expect(Math.min(...counts)).toBeGreaterThan(600);
    expect(Math.max(...counts)).toBeLessThan(960);
  });
});
