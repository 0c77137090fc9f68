package dev.tributary.flink.window;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Js;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.window.sketch.ApproxTopK;
import dev.tributary.flink.window.sketch.Hash2;
import dev.tributary.flink.window.sketch.HyperLogLog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * The window node's aggregates as one Flink AggregateFunction: incremental, merged when session
 * windows merge, with the embedded runtime's semantics (runtime/nodes/window/aggregates.ts): SQL
 * null handling (null and missing values skipped; no values, no sum), first/last/collect by
 * arrival, countDistinct and topK over values (objects by their JSON), approxCountDistinct and
 * approxTopK with the embedded runtime's own sketches (window/sketch), so they agree exactly.
 */
public final class WindowAggregate implements AggregateFunction<Rec, Acc, Acc> {
  private static final long serialVersionUID = 1L;
  private final AggregateSpec[] specs;
  /** Arrival order within this operator instance, for first/last/collect across merged sessions. */
  private transient long seq;

  public WindowAggregate(AggregateSpec[] specs) {
    this.specs = specs;
  }

  @Override
  public Acc createAccumulator() {
    return new Acc(specs);
  }

  static Object distinctKey(Object v) {
    if (Js.isObject(v)) return Json.stringify(v);
    if (v instanceof Double d && d == 0) return 0.0;
    return v;
  }

  /** Numeric aggregates read numbers only: the check before the window sent other values to `errors`. */
  @Override
  @SuppressWarnings("unchecked")
  public Acc add(Rec r, Acc a) {
    long s = ++seq;
    for (int i = 0; i < specs.length; i++) {
      AggregateSpec spec = specs[i];
      Object x = spec.read(r.value);
      switch (spec.fn()) {
        case "count" -> a.v[i] += spec.field() == null || !Js.isNil(x) ? 1 : 0;
        case "sum", "avg" -> {
          if (x instanceof Number) {
            a.v[i] += ((Number) x).doubleValue();
            a.n[i]++;
          }
        }
        case "min" -> {
          if (x instanceof Number) {
            double d = ((Number) x).doubleValue();
            if (d < a.v[i]) a.v[i] = d;
            a.n[i]++;
          }
        }
        case "max" -> {
          if (x instanceof Number) {
            double d = ((Number) x).doubleValue();
            if (d > a.v[i]) a.v[i] = d;
            a.n[i]++;
          }
        }
        case "first" -> {
          if (!Js.isNil(x) && a.cells[i] == null) a.cells[i] = new Object[] {x, s};
        }
        case "last" -> {
          if (!Js.isNil(x)) a.cells[i] = new Object[] {x, s};
        }
        case "collect" -> ((List<Object[]>) a.cells[i]).add(new Object[] {x, s});
        case "countDistinct" -> {
          if (!Js.isNil(x)) ((LinkedHashSet<Object>) a.cells[i]).add(distinctKey(x));
        }
        case "topK" -> {
          if (!Js.isNil(x)) ((Map<Object, Double>) a.cells[i]).merge(distinctKey(x), 1.0, Double::sum);
        }
        case "approxCountDistinct" -> {
          if (!Js.isNil(x)) {
            long h = Hash2.hash(distinctKey(x));
            if (a.cells[i] == null) a.cells[i] = new HyperLogLog(spec.precision());
            ((HyperLogLog) a.cells[i]).addHash(Hash2.h1(h), Hash2.h2(h));
          }
        }
        case "approxTopK" -> {
          TopKParts t = (TopKParts) a.cells[i];
          t.settle();
          if (r instanceof Stamped st && st.ts < t.start) t.start = st.ts;
          if (!Js.isNil(x)) {
            Object v = distinctKey(x);
            long h = Hash2.hash(v);
            if (t.top == null) t.top = new ApproxTopK(spec.k());
            t.top.addHashed(v, Hash2.h1(h), Hash2.h2(h), 1);
          }
        }
        default -> throw new IllegalStateException("aggregate " + spec.fn());
      }
    }
    return a;
  }

  @Override
  public Acc getResult(Acc a) {
    return a;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Acc merge(Acc a, Acc b) {
    for (int i = 0; i < specs.length; i++) {
      switch (specs[i].fn()) {
        case "count", "sum", "avg" -> {
          a.v[i] += b.v[i];
          a.n[i] += b.n[i];
        }
        case "min" -> {
          a.v[i] = Math.min(a.v[i], b.v[i]);
          a.n[i] += b.n[i];
        }
        case "max" -> {
          a.v[i] = Math.max(a.v[i], b.v[i]);
          a.n[i] += b.n[i];
        }
        case "first", "last" -> {
          Object[] x = (Object[]) a.cells[i];
          Object[] y = (Object[]) b.cells[i];
          boolean last = specs[i].fn().equals("last");
          if (y != null && (x == null || (last ? (Long) y[1] > (Long) x[1] : (Long) y[1] < (Long) x[1]))) a.cells[i] = y;
        }
        case "collect" -> {
          List<Object[]> all = new ArrayList<>((List<Object[]>) a.cells[i]);
          all.addAll((List<Object[]>) b.cells[i]);
          all.sort((p, q) -> Long.compare((Long) p[1], (Long) q[1]));
          a.cells[i] = all;
        }
        case "countDistinct" -> ((LinkedHashSet<Object>) a.cells[i]).addAll((LinkedHashSet<Object>) b.cells[i]);
        case "topK" -> {
          Map<Object, Double> into = (Map<Object, Double>) a.cells[i];
          ((Map<Object, Double>) b.cells[i]).forEach((k, n) -> into.merge(k, n, Double::sum));
        }
        case "approxCountDistinct" -> {
          // A union: the order Flink merges in does not matter (HyperLogLog).
          HyperLogLog x = (HyperLogLog) a.cells[i];
          HyperLogLog y = (HyperLogLog) b.cells[i];
          if (x == null) a.cells[i] = y;
          else if (y != null) x.merge(y);
        }
        case "approxTopK" -> ((TopKParts) a.cells[i]).absorb((TopKParts) b.cells[i]);
        default -> throw new IllegalStateException("aggregate " + specs[i].fn());
      }
    }
    return a;
  }

  /** The aggregates' results, in declaration order, after key and window bounds. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> results(AggregateSpec[] specs, Acc a, Object key, Object start, Object end) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("key", key);
    out.put("windowStart", start);
    out.put("windowEnd", end);
    for (int i = 0; i < specs.length; i++) {
      AggregateSpec s = specs[i];
      Object r = switch (s.fn()) {
        case "count" -> a.v[i];
        case "sum", "min", "max" -> a.n[i] == 0 ? null : (Object) a.v[i];
        case "avg" -> a.n[i] == 0 ? null : (Object) (a.v[i] / a.n[i]);
        case "first", "last" -> a.cells[i] == null ? null : ((Object[]) a.cells[i])[0];
        case "collect" -> {
          List<Object> l = new ArrayList<>();
          for (Object[] p : (List<Object[]>) a.cells[i]) l.add(p[0]);
          yield l;
        }
        case "countDistinct" -> (double) ((LinkedHashSet<Object>) a.cells[i]).size();
        case "topK" -> topK((Map<Object, Double>) a.cells[i], s.k());
        case "approxCountDistinct" -> a.cells[i] == null ? 0.0 : (Object) ((HyperLogLog) a.cells[i]).estimate();
        case "approxTopK" -> {
          TopKParts t = (TopKParts) a.cells[i];
          t.settle();
          yield t.top == null ? new ArrayList<Object>() : top(t.top.candidates(), s.k());
        }
        default -> throw new IllegalStateException("aggregate " + s.fn());
      };
      out.put(s.name(), r);
    }
    return out;
  }

  private static List<Object> topK(Map<Object, Double> counts, int k) {
    return top(new ArrayList<>(counts.entrySet()), k);
  }

  /** `[{value, count}]`, the k first by count desc then value asc (a stable sort, as Array.prototype.sort). */
  private static List<Object> top(List<Map.Entry<Object, Double>> all, int k) {
    all.sort(WindowAggregate::byCountThenValue);
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < Math.min(k, all.size()); i++) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("value", all.get(i).getKey());
      e.put("count", all.get(i).getValue());
      out.add(e);
    }
    return out;
  }

  /** runtime/nodes/window/sketch/top-k.ts byCountThenValue: count desc, numbers before others, then value asc. */
  static int byCountThenValue(Map.Entry<Object, Double> a, Map.Entry<Object, Double> b) {
    if (!a.getValue().equals(b.getValue())) return Double.compare(b.getValue(), a.getValue());
    Object x = a.getKey();
    Object y = b.getKey();
    boolean xNum = x instanceof Number;
    if (xNum != (y instanceof Number)) return xNum ? -1 : 1;
    if (xNum) return Double.compare(((Number) x).doubleValue(), ((Number) y).doubleValue());
    String sx = Js.toStr(x);
    String sy = Js.toStr(y);
    if (!sx.equals(sy)) return sx.compareTo(sy) < 0 ? -1 : 1;
    return Js.typeOf(x).compareTo(Js.typeOf(y));
  }
}
