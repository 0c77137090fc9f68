package dev.tributary.flink.infer;

import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.expr.Js;
import dev.tributary.flink.expr.JsNumber;
import dev.tributary.flink.expr.Json;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * Feature expressions → one row-major tensor per batch (runtime/nodes/infer/features.ts): a
 * value that is not a finite number (or boolean) marks its row bad with the embedded node's
 * reason and zero-fills it, so the batch still runs in one model call; a plain field name is a
 * field read, anything else the expression.
 */
final class Features implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern FIELD = Pattern.compile("^[A-Za-z_$][\\w$]*$");

  final String[] srcs;
  private final String[] fields;
  private final Expr[] fns;

  Features(JsonNode list) {
    int n = list.size();
    srcs = new String[n];
    fields = new String[n];
    fns = new Expr[n];
    for (int j = 0; j < n; j++) {
      JsonNode f = list.get(j);
      srcs[j] = f.path("source").asText();
      String t = srcs[j].trim();
      boolean field = FIELD.matcher(t).matches() && !t.equals("null") && !t.equals("true") && !t.equals("false") && !t.equals("undefined");
      fields[j] = field ? t : null;
      fns[j] = Expr.of(f.get("$expr"));
    }
  }

  int width() {
    return srcs.length;
  }

  /** Fills out (rows × width from index 0) from recs; the bad rows' reasons by row, first reason kept. */
  Map<Integer, String> fill(List<Object> recs, double[] out, Map<Integer, String> bad) {
    int w = srcs.length;
    for (int i = 0; i < recs.size(); i++) {
      Object r = Js.isNil(recs.get(i)) ? Map.of() : recs.get(i);
      for (int j = 0; j < w; j++) {
        Object v;
        if (fields[j] != null) v = Js.get(r, fields[j]);
        else {
          try {
            v = fns[j].eval(r);
          } catch (RuntimeException err) {
            out[i * w + j] = 0;
            bad.putIfAbsent(i, "feature " + Json.stringify(srcs[j]) + ": " + err.getMessage());
            continue;
          }
        }
        if (v instanceof Number x && Double.isFinite(x.doubleValue())) out[i * w + j] = x.doubleValue();
        else if (v instanceof Boolean b) out[i * w + j] = b ? 1 : 0;
        else {
          out[i * w + j] = 0;
          bad.putIfAbsent(i, "feature " + Json.stringify(srcs[j]) + " is not a number (" + describe(v) + ")");
        }
      }
    }
    return bad;
  }

  private static String describe(Object v) {
    if (v == Js.UNDEFINED) return "missing";
    if (v == null) return "null";
    if (v instanceof Number n) return JsNumber.toString(n.doubleValue());
    String s = Json.stringify(v);
    return Js.typeOf(v) + " " + (s == null ? "undefined" : s.substring(0, Math.min(40, s.length())));
  }

  /** The node's `inputs` (name → features), or `features` as one input named `fallbackName`. */
  static Map<String, Features> of(JsonNode params, String fallbackName) {
    Map<String, Features> out = new LinkedHashMap<>();
    if (params.hasNonNull("inputs")) params.get("inputs").fields().forEachRemaining(e -> out.put(e.getKey(), new Features(e.getValue())));
    else if (params.hasNonNull("features")) out.put(fallbackName, new Features(params.get("features")));
    return out;
  }

  static List<String> sources(Map<String, Features> inputs) {
    List<String> out = new ArrayList<>();
    inputs.values().forEach(f -> out.addAll(List.of(f.srcs)));
    return out;
  }
}
