package dev.tributary.flink.window.sketch;

import dev.tributary.flink.expr.Js;

/**
 * The embedded runtime's two 32-bit sketch hashes (runtime/nodes/window/sketch/hash.ts), bit for
 * bit: MurmurHash3 x86_32 over UTF-16 code units in two lanes with different seeds; numbers by
 * their IEEE-754 words (-0 as 0, one NaN), booleans by a word, each finished with a tag no string
 * length produces. Java's int arithmetic wraps as Math.imul and `| 0` do.
 */
public final class Hash2 {
  private Hash2() {}

  private static final int SEED1 = 0x9747b28c;
  private static final int SEED2 = 0x5bd1e995;
  private static final int TAG_NUMBER = 0x80000001;
  private static final int TAG_BOOLEAN = 0x80000002;
  private static final int TAG_OTHER = 0x80000003;

  private static int fmix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }

  private static int mixK(int k) {
    k *= 0xcc9e2d51;
    k = (k << 15) | (k >>> 17);
    return k * 0x1b873593;
  }

  private static int mixH(int h, int k) {
    h ^= k;
    h = (h << 13) | (h >>> 19);
    return h * 5 + 0xe6546b64;
  }

  /** H1 in the high word, H2 in the low word. */
  private static long pack(int h1, int h2) {
    return ((long) h1 << 32) | (h2 & 0xffffffffL);
  }

  public static int h1(long h) {
    return (int) (h >>> 32);
  }

  public static int h2(long h) {
    return (int) h;
  }

  private static long hashString(String s, int tag) {
    int a = SEED1;
    int b = SEED2;
    int n = s.length();
    int i = 0;
    // Two UTF-16 units per 32-bit block.
    for (; i + 1 < n; i += 2) {
      int k = mixK(s.charAt(i) | (s.charAt(i + 1) << 16));
      a = mixH(a, k);
      b = mixH(b, k);
    }
    if (i < n) {
      int k = mixK(s.charAt(i));
      a ^= k;
      b ^= k;
    }
    return pack(fmix(a ^ tag ^ (n * 2)), fmix(b ^ tag ^ (n * 2)));
  }

  private static long hashWords(int lo, int hi, int tag) {
    int k1 = mixK(lo);
    int k2 = mixK(hi);
    return pack(fmix(mixH(mixH(SEED1, k1), k2) ^ tag), fmix(mixH(mixH(SEED2, k1), k2) ^ tag));
  }

  /** Both hashes of a value (a string, number or boolean; other values by their string form). */
  public static long hash(Object v) {
    if (v instanceof String s) return hashString(s, 0);
    if (v instanceof Number num) {
      double d = num.doubleValue();
      long bits = Double.doubleToLongBits(d == 0 ? 0.0 : d);
      return hashWords((int) bits, (int) (bits >>> 32), TAG_NUMBER);
    }
    if (v instanceof Boolean b) return hashWords(b ? 1 : 0, 0, TAG_BOOLEAN);
    return hashString(Js.toStr(v), TAG_OTHER);
  }
}
