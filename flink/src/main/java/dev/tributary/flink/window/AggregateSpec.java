package dev.tributary.flink.window;

import dev.tributary.flink.expr.Js;
import java.io.Serializable;
import java.util.Map;

/** One output field of a window: `{fn, field?, k?, precision?}` (runtime/nodes/window/spec.ts). */
public record AggregateSpec(String name, String fn, String field, int k, int precision) implements Serializable {
  public boolean numeric() {
    return fn.equals("sum") || fn.equals("min") || fn.equals("max") || fn.equals("avg");
  }

  /** The field's value (dots for nested fields), or the whole record without a field. */
  public Object read(Object rec) {
    if (field == null) return rec;
    if (field.indexOf('.') < 0) return rec instanceof Map ? Js.get(rec, field) : Js.UNDEFINED;
    Object v = rec;
    for (String p : field.split("\\.", -1)) {
      if (!(v instanceof Map) && !(v instanceof java.util.List)) return Js.UNDEFINED;
      v = Js.get(v, p);
    }
    return v;
  }

  /** runtime/nodes/window/aggregates.ts NUM_MSG; null when the value is usable. */
  public String check(Object rec) {
    if (!numeric()) return null;
    Object x = read(rec);
    if (Js.isNil(x)) return null;
    if (x instanceof Number n && Double.isFinite(n.doubleValue())) return null;
    String got;
    if (x instanceof String s) got = "string " + dev.tributary.flink.expr.Json.stringify(s.length() > 40 ? s.substring(0, 40) + "…" : s);
    else got = Js.typeOf(x);
    return "field '" + field + "' must be a number, got " + got;
  }
}
