package dev.tributary.flink.window.sketch;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `approxTopK`, ported step for step from runtime/nodes/window/sketch/top-k.ts so both engines
 * keep the same counters and candidates and report the same list: a Count-Min Sketch with
 * conservative update (row index = top log2(width) bits of H1 + row·H2) and a min-heap of the
 * `capacity` values with the highest bounds; exact (no sketch) until more than `capacity`
 * distinct values are seen. Counters are uint32 held in ints and compared unsigned; bounds are
 * doubles as in JavaScript. Heap moves, eviction ties and merge order are the embedded ones.
 */
public final class ApproxTopK implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final long MAX_COUNTER = 0xffffffffL;

  public int k;
  public int width;
  public int depth;
  public int capacity;
  public int shift;
  /** uint32 counters, row-major; null while counts are exact. */
  public int[] counters;
  public int[] at;
  public HashMap<Object, Integer> ids = new HashMap<>();
  public Object[] vals;
  public double[] ests;
  public int[] rows;
  public int[] heap;
  public int[] slot;
  public int n;

  public ApproxTopK() {}

  /** The window's sketch: width 2048, depth 4, max(4k, 64) candidates (top-k.ts defaults). */
  public ApproxTopK(int k) {
    this(k, 2048, 4, Math.max(4 * k, 64));
  }

  public ApproxTopK(int k, int width, int depth, int capacity) {
    this.k = k;
    this.width = width;
    this.depth = depth;
    this.capacity = capacity;
    this.shift = 32 - Integer.numberOfTrailingZeros(width);
    at = new int[depth];
    vals = new Object[capacity];
    ests = new double[capacity];
    rows = new int[capacity * depth];
    heap = new int[capacity];
    slot = new int[capacity];
  }

  private static long u(int c) {
    return c & 0xffffffffL;
  }

  private static double clamp(double bound) {
    return bound < MAX_COUNTER ? bound : MAX_COUNTER;
  }

  private int pos(int i, int h1, int h2) {
    return i * width + ((h1 + i * h2) >>> shift);
  }

  /** Count `value` `count` (> 0) more times; the value's hashes are computed when needed. */
  public void add(Object value, double count) {
    if (!(count > 0)) return;
    Integer id = ids.get(value);
    if (id != null) {
      bump(id, count);
      return;
    }
    if (counters == null && n < capacity) {
      enter(value, count);
      return;
    }
    long h = Hash2.hash(value);
    addNew(value, Hash2.h1(h), Hash2.h2(h), count);
  }

  /** `add` with the value's hashes already computed (a sliding window adds a value to several sketches). */
  public void addHashed(Object value, int h1, int h2, double count) {
    if (!(count > 0)) return;
    Integer id = ids.get(value);
    if (id != null) {
      bump(id, count);
      return;
    }
    if (counters == null && n < capacity) {
      enter(value, count);
      return;
    }
    addNew(value, h1, h2, count);
  }

  private void bump(int id, double count) {
    double bound = ests[id] + count;
    ests[id] = bound;
    if (counters != null) {
      double b = clamp(bound);
      for (int i = id * depth, end = i + depth; i < end; i++) {
        int j = rows[i];
        if (u(counters[j]) < b) counters[j] = (int) (long) b;
      }
    }
    down(slot[id]);
  }

  private void addNew(Object value, int h1, int h2, double count) {
    if (counters == null) allocate();
    int[] c = counters;
    // Conservative update: raise each row only as far as the new minimum.
    long min = MAX_COUNTER;
    for (int i = 0; i < depth; i++) {
      int j = pos(i, h1, h2);
      at[i] = j;
      if (u(c[j]) < min) min = u(c[j]);
    }
    double bound = min + count;
    double b = clamp(bound);
    for (int i = 0; i < depth; i++) if (u(c[at[i]]) < b) c[at[i]] = (int) (long) b;
    if (n < capacity) {
      enter(value, bound);
      return;
    }
    if (bound <= ests[heap[0]]) return;
    int id = heap[0];
    ids.remove(vals[id]);
    ids.put(value, id);
    vals[id] = value;
    ests[id] = bound;
    System.arraycopy(at, 0, rows, id * depth, depth);
    down(0);
  }

  private void allocate() {
    counters = new int[width * depth];
    for (int id = 0; id < n; id++) place(id);
  }

  private void place(int id) {
    long h = Hash2.hash(vals[id]);
    int h1 = Hash2.h1(h);
    int h2 = Hash2.h2(h);
    double b = Math.min(ests[id], MAX_COUNTER);
    for (int i = 0; i < depth; i++) {
      int j = pos(i, h1, h2);
      rows[id * depth + i] = j;
      if (u(counters[j]) < b) counters[j] = (int) (long) b;
    }
  }

  private double sketched(Object value) {
    long h = Hash2.hash(value);
    int h1 = Hash2.h1(h);
    int h2 = Hash2.h2(h);
    long min = MAX_COUNTER;
    for (int i = 0; i < depth; i++) min = Math.min(min, u(counters[pos(i, h1, h2)]));
    return min;
  }

  /** An upper bound of `value`'s count (exact while no sketch is allocated). */
  public double estimate(Object value) {
    Integer id = ids.get(value);
    if (id != null) return ests[id];
    return counters == null ? 0 : sketched(value);
  }

  private void enter(Object value, double est) {
    int id = n++;
    ids.put(value, id);
    vals[id] = value;
    ests[id] = est;
    if (counters != null) System.arraycopy(at, 0, rows, id * depth, depth);
    int i = id;
    while (i > 0) {
      int p = (i - 1) >> 1;
      if (ests[heap[p]] <= est) break;
      heap[i] = heap[p];
      slot[heap[i]] = i;
      i = p;
    }
    heap[i] = id;
    slot[id] = i;
  }

  private void down(int i) {
    int id = heap[i];
    double e = ests[id];
    for (;;) {
      int l = 2 * i + 1;
      if (l >= n) break;
      int c = l + 1 < n && ests[heap[l + 1]] < ests[heap[l]] ? l + 1 : l;
      if (ests[heap[c]] >= e) break;
      heap[i] = heap[c];
      slot[heap[i]] = i;
      i = c;
    }
    heap[i] = id;
    slot[id] = i;
  }

  /** The candidates as [value, count] pairs (unsorted): the window sorts and cuts them to k. */
  public List<Map.Entry<Object, Double>> candidates() {
    List<Map.Entry<Object, Double>> all = new ArrayList<>(n);
    for (int id = 0; id < n; id++) all.add(Map.entry(vals[id], ests[id]));
    return all;
  }

  /** Add another sketch's counts (same size); candidates re-estimated, in top-k.ts's order. */
  public void merge(ApproxTopK other) {
    if (other.width != width || other.depth != depth) throw new IllegalArgumentException("cannot merge approxTopK sketches of different sizes");
    if (other.counters == null) {
      for (int id = 0; id < other.n; id++) add(other.vals[id], other.ests[id]);
      return;
    }
    // Insertion order, as a JavaScript Map iterates.
    LinkedHashMap<Object, Double> bounds = new LinkedHashMap<>();
    for (int id = 0; id < n; id++) bounds.put(vals[id], 0.0);
    for (int id = 0; id < other.n; id++) bounds.put(other.vals[id], 0.0);
    for (Map.Entry<Object, Double> e : bounds.entrySet()) e.setValue(estimate(e.getKey()) + other.estimate(e.getKey()));
    if (counters == null) allocate();
    int[] c = counters;
    int[] o = other.counters;
    for (int i = 0; i < c.length; i++) c[i] = (int) Math.min(MAX_COUNTER, u(c[i]) + u(o[i]));
    n = 0;
    java.util.Arrays.fill(vals, null);
    ids.clear();
    for (Map.Entry<Object, Double> e : bounds.entrySet()) offer(e.getKey(), Math.min(e.getValue(), sketched(e.getKey())));
  }

  private void offer(Object value, double est) {
    int id;
    if (n < capacity) {
      enter(value, est);
      id = n - 1;
    } else {
      id = heap[0];
      if (est <= ests[id]) return;
      ids.remove(vals[id]);
      ids.put(value, id);
      vals[id] = value;
      ests[id] = est;
      down(0);
    }
    if (counters != null) place(id);
  }
}
