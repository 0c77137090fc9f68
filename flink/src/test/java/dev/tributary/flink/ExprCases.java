package dev.tributary.flink;

import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.expr.Js;
import dev.tributary.flink.expr.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * Runs the shared expression case table through the Java implementation: reads
 * `[{compiled, args}]` (the compiled ASTs the TypeScript side wrote), writes one result per case,
 * `{ok: encoded}` or `{error: message}`, encoded as test/flink/expr-cases.ts encodes values
 * (undefined, NaN, ±Infinity and -0 tagged, since JSON has none of them).
 */
public final class ExprCases {
  private ExprCases() {}

  static Object encode(Object v) {
    if (v == Js.UNDEFINED) return Map.of("$undefined", true);
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isNaN(d)) return Map.of("$number", "NaN");
      if (Double.isInfinite(d)) return Map.of("$number", d > 0 ? "Infinity" : "-Infinity");
      if (d == 0 && 1 / d < 0) return Map.of("$number", "-0");
      return d;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object x : l) out.add(encode(x));
      return out;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), encode(x)));
      return out;
    }
    return v;
  }

  static Object decode(Object v) {
    if (v instanceof Map<?, ?> m) {
      if (m.containsKey("$undefined")) return Js.UNDEFINED;
      if (m.containsKey("$number")) {
        return switch ((String) m.get("$number")) {
          case "NaN" -> Double.NaN;
          case "Infinity" -> Double.POSITIVE_INFINITY;
          case "-Infinity" -> Double.NEGATIVE_INFINITY;
          default -> -0.0;
        };
      }
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), decode(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object x : l) out.add(decode(x));
      return out;
    }
    return v;
  }

  public static void main(String[] args) throws Exception {
    JsonNode cases = Json.tree(Files.readString(Path.of(args[0])));
    List<Object> results = new ArrayList<>();
    for (JsonNode c : cases) {
      Map<String, Object> r = new LinkedHashMap<>();
      try {
        Expr e = Expr.of(c.get("compiled"));
        List<?> a = (List<?>) decode(Json.value(c.get("args")));
        r.put("ok", encode(e.eval(a.toArray())));
      } catch (RuntimeException ex) {
        r.put("error", String.valueOf(ex.getMessage()));
      }
      results.add(r);
    }
    Files.writeString(Path.of(args[1]), Json.stringify(results));
  }
}
