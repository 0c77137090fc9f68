package dev.tributary.flink.window;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;

/**
 * A window's accumulators, one cell per aggregate: numbers for count/sum/avg/min/max (value and
 * count of values), [value, arrival] for first/last, [[value, arrival]…] for collect, a set for
 * countDistinct, value → count for topK, and the embedded runtime's sketches for
 * approxCountDistinct (a HyperLogLog, null until a value arrives) and approxTopK (TopKParts). Never the records themselves, except collect's.
 */
public final class Acc implements Serializable {
  private static final long serialVersionUID = 1L;

  public double[] v;
  public double[] n;
  public Object[] cells;

  public Acc() {}

  Acc(AggregateSpec[] specs) {
    v = new double[specs.length];
    n = new double[specs.length];
    cells = new Object[specs.length];
    for (int i = 0; i < specs.length; i++) {
      switch (specs[i].fn()) {
        case "min" -> v[i] = Double.POSITIVE_INFINITY;
        case "max" -> v[i] = Double.NEGATIVE_INFINITY;
        case "collect" -> cells[i] = new ArrayList<Object[]>();
        case "countDistinct" -> cells[i] = new LinkedHashSet<Object>();
        case "topK" -> cells[i] = new LinkedHashMap<Object, Double>();
        case "approxTopK" -> cells[i] = new TopKParts();
        default -> {}
      }
    }
  }
}
