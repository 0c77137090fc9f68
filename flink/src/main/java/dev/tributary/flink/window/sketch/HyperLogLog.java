package dev.tributary.flink.window.sketch;

import java.io.Serializable;

/**
 * `approxCountDistinct`'s HyperLogLog, ported from runtime/nodes/window/sketch/hll.ts so both
 * engines hold the same registers and give the same estimate: register index from the top p bits
 * of H1, rank counted in H2; exact while sparse (distinct H1·2^21 + top 21 bits of H2 in a
 * linear-probing table, dense once the table would outweigh the registers); linear counting for
 * the small range. Merging is a union, so the order in which Flink merges session windows' states
 * does not change the result.
 */
public final class HyperLogLog implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int RANK_BITS = 21;
  private static final int MIN_SLOTS = 8;

  public int p;
  public int m;
  /** Sparse: entry + 1 per used slot (0 = empty); null once dense. */
  public long[] table;
  public int size;
  public byte[] regs;

  public HyperLogLog() {}

  public HyperLogLog(int p) {
    if (p < 4 || p > 16) throw new IllegalArgumentException("HyperLogLog precision must be 4..16, got " + p);
    this.p = p;
    this.m = 1 << p;
    if (MIN_SLOTS * 8 <= m) table = new long[MIN_SLOTS];
    else regs = new byte[m];
  }

  /** Add a value by its two hashes (Hash2). */
  public void addHash(int h1, int h2) {
    if (table != null) insert(((h1 & 0xffffffffL) << RANK_BITS) + (h2 >>> (32 - RANK_BITS)) + 1, h1);
    else set(h1, h2);
  }

  private void set(int h1, int h2) {
    int j = h1 >>> (32 - p);
    int rank = Integer.numberOfLeadingZeros(h2) + 1;
    if (rank > regs[j]) regs[j] = (byte) rank;
  }

  private void insert(long slot, int h1) {
    long[] t = table;
    int mask = t.length - 1;
    int i = h1 & mask;
    for (;;) {
      long x = t[i];
      if (x == slot) return;
      if (x == 0) break;
      i = (i + 1) & mask;
    }
    t[i] = slot;
    if (++size * 4 > t.length * 3) grow();
  }

  private void grow() {
    long[] old = table;
    if ((long) old.length * 2 * 8 > m) {
      table = null;
      regs = new byte[m];
      for (long x : old) if (x != 0) addEntry(x);
      return;
    }
    table = new long[old.length * 2];
    size = 0;
    for (long x : old) if (x != 0) addEntry(x);
  }

  private void addEntry(long slot) {
    int h1 = (int) ((slot - 1) >>> RANK_BITS);
    if (table != null) {
      insert(slot, h1);
      return;
    }
    // The rank from 21 bits of H2: exact unless all are zero, then 22 (as hll.ts).
    int rest = (int) ((slot - 1) & ((1L << RANK_BITS) - 1));
    set(h1, rest == 0 ? 1 << (32 - RANK_BITS - 1) : rest << (32 - RANK_BITS));
  }

  /** Distinct values added: exact while sparse; the same double the embedded runtime computes. */
  public double estimate() {
    if (table != null) return size;
    double sum = 0;
    int zeros = 0;
    for (int j = 0; j < m; j++) {
      int r = regs[j];
      sum += Math.scalb(1.0, -r);
      if (r == 0) zeros++;
    }
    double md = m;
    double alpha = m == 16 ? 0.673 : m == 32 ? 0.697 : m == 64 ? 0.709 : 0.7213 / (1 + 1.079 / md);
    double e = (alpha * md * md) / sum;
    // StrictMath.log is fdlibm's, as V8's Math.log; Math.round rounds half up, as JavaScript's.
    if (e <= 2.5 * md && zeros > 0) return Math.round(md * StrictMath.log(md / zeros));
    return Math.round(e);
  }

  /** Become the union of this and `other` (same precision). */
  public void merge(HyperLogLog other) {
    if (other.p != p) throw new IllegalArgumentException("cannot merge HyperLogLogs of precision " + p + " and " + other.p);
    if (other.table != null) {
      for (long x : other.table) if (x != 0) addEntry(x);
      return;
    }
    if (table != null) {
      long[] old = table;
      table = null;
      regs = new byte[m];
      for (long x : old) if (x != 0) addEntry(x);
    }
    for (int j = 0; j < m; j++) if (other.regs[j] > regs[j]) regs[j] = other.regs[j];
  }
}
