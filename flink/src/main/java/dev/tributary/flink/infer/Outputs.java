package dev.tributary.flink.infer;

import dev.tributary.flink.expr.Js;
import dev.tributary.flink.expr.JsNumber;
import dev.tributary.flink.expr.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model's results for one batch and the node's `outputs` refs (`label`, `probabilities[1]`,
 * `result.score`) read from them: runtime/nodes/infer/outputs.ts, reader for reader. A column
 * answers a ref with a reader per row, or with the reason the ref does not fit it.
 */
final class Outputs {
  private Outputs() {}

  /** One output of a batch. */
  interface Column {
    /** A reader of each row (the whole row when key is null), or a String saying why the key does not fit. */
    Object getter(String key);
  }

  /** A tensor with the batch on its first axis, `width` values a row (numbers as Double, strings, booleans). */
  static Column tensor(List<Object> data, int width) {
    return key -> {
      if (key == null) {
        if (width == 1) return (IntFunction<Object>) data::get;
        return (IntFunction<Object>) i -> new ArrayList<>(data.subList(i * width, i * width + width));
      }
      double j = Js.stringToNumber(key);
      if (j != Math.rint(j) || j < 0 || j >= width) return "index [" + key + "] is outside the output's " + width + " columns";
      int k = (int) j;
      return (IntFunction<Object>) i -> data.get(i * width + k);
    };
  }

  /** A ZipMap: each row's class probabilities by label (a row reads as {label: p}, keys in JavaScript's order). */
  static Column zipMap(double[] data, List<Object> labels) {
    int k = labels.size();
    List<String> names = new ArrayList<>();
    for (Object l : labels) names.add(Js.toStr(l));
    return key -> {
      if (key == null) {
        return (IntFunction<Object>) i -> {
          Map<String, Object> o = new LinkedHashMap<>();
          for (int j = 0; j < k; j++) o.put(names.get(j), data[i * k + j]);
          return Json.jsKeyOrder(o);
        };
      }
      int j = names.indexOf(key);
      if (j < 0) {
        List<String> shown = new ArrayList<>();
        for (Object l : labels) shown.add(l instanceof Double d ? JsNumber.toString(d) : String.valueOf(l));
        return "class [" + key + "] is not one of the classifier's classes (" + String.join(", ", shown) + ")";
      }
      return (IntFunction<Object>) i -> data[i * k + j];
    };
  }

  /** One JSON value a row (remote servers). A key indexes an array or names an object field. */
  static Column rows(List<Object> values) {
    return key -> {
      if (key == null) return (IntFunction<Object>) values::get;
      return (IntFunction<Object>) i -> {
        Object v = values.get(i);
        if (v instanceof Map || v instanceof List) {
          Object x = Js.get(v, key);
          return Js.isNil(x) ? null : x;
        }
        return null;
      };
    };
  }

  record Ref(String field, String source, String name, String key, List<String> path) implements java.io.Serializable {}

  private static final Pattern REF = Pattern.compile("^([^\\[.]+)(?:\\[([^\\]]+)\\])?((?:\\.[^.\\[\\]]+)*)$");

  static List<Ref> parse(Map<String, String> outputs) {
    List<Ref> out = new ArrayList<>();
    outputs.forEach((field, source) -> {
      Matcher m = REF.matcher(Js.trimJs(source));
      if (!m.matches()) throw new IllegalArgumentException("output " + Json.stringify(source) + " for field '" + field + "': use name, name[index] or name.field");
      String key = m.group(2) == null ? null : m.group(2).replaceAll("^[\"']|[\"']$", "");
      List<String> path = m.group(3).isEmpty() ? List.of() : List.of(m.group(3).substring(1).split("\\.", -1));
      out.add(new Ref(field, source, m.group(1), key, path));
    });
    return out;
  }

  /** Refs of every output into a field of its own name (the node without `outputs`). */
  static List<Ref> all(Map<String, Column> cols) {
    Map<String, String> o = new LinkedHashMap<>();
    cols.keySet().forEach(n -> o.put(n, n));
    return parse(o);
  }

  /** One reader per ref for this batch, or the reason (a String) a ref does not fit the model's outputs. */
  @SuppressWarnings("unchecked")
  static Object readers(List<Ref> refs, Map<String, Column> cols) {
    List<IntFunction<Object>> out = new ArrayList<>();
    for (Ref r : refs) {
      Column col = cols.get(r.name());
      if (col == null) return "output '" + r.name() + "' (for field '" + r.field() + "') is not one of the model's outputs: " + String.join(", ", cols.keySet());
      Object g = col.getter(r.key());
      if (g instanceof String why) return "output " + Json.stringify(r.source()) + ": " + why;
      IntFunction<Object> read = (IntFunction<Object>) g;
      if (r.path().isEmpty()) out.add(read);
      else {
        List<String> path = r.path();
        out.add(i -> {
          Object v = read.apply(i);
          for (String p : path) {
            if (v instanceof Map || v instanceof List) {
              Object x = Js.get(v, p);
              v = Js.isNil(x) ? null : x;
            } else v = null;
          }
          return v;
        });
      }
    }
    return out;
  }
}
