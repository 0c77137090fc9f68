package dev.tributary.flink;

import dev.tributary.flink.expr.Json;
import java.io.Serializable;

/**
 * A record between operators: the JavaScript-shaped value (Map, List, Double, String, Boolean, null)
 * and the key an upstream keyBy gave it. The key travels with the record because, as in the
 * embedded runtime, stateless nodes after a keyBy keep it, and Flink's own keyBy would not
 * survive a map.
 */
public class Rec implements Serializable {
  private static final long serialVersionUID = 1L;

  public Object value;
  /** null: not keyed. */
  public Object key;

  public Rec() {}

  public Rec(Object value, Object key) {
    this.value = value;
    this.key = key;
  }

  @Override
  public String toString() {
    return Json.stringify(value);
  }
}
