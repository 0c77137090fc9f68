package dev.tributary.flink.expr;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON in and out as JavaScript does it: JSON.parse gives Doubles, ordered maps (integer-like keys
 * first, as JavaScript orders an object's keys) and lists; {@link #stringify} is JSON.stringify
 * (undefined fields left out, undefined in arrays and non-finite numbers as null, numbers printed
 * by Number::toString). Flink's own shaded Jackson does the parsing, so the job bundles no JSON
 * library of its own.
 */
public final class Json {
  private Json() {}

  public static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * The compiled pipeline's reader: an ONNX model inside it (`model.bytes`, base64) is one string
   * longer than Jackson's default limit of 20,000,000 characters for a model above 15 MB, and the
   * pipeline is ours, not a record's, so the limit does not apply to it.
   */
  private static final ObjectMapper PIPELINE = new ObjectMapper(
      org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory.builder()
          .streamReadConstraints(org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** A compiled pipeline's JSON (no limit on a string's length). */
  public static JsonNode pipelineTree(String text) {
    try {
      return PIPELINE.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(cleanMessage(e), e);
    }
  }

  public static JsonNode tree(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(cleanMessage(e), e);
    }
  }

  private static String cleanMessage(IOException e) {
    String m = e.getMessage();
    int cut = m.indexOf("\n at [Source");
    return cut > 0 ? m.substring(0, cut) : m;
  }

  public static Object parse(String text) {
    return value(tree(text));
  }

  public static Object value(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return null;
    if (n.isNumber()) return n.doubleValue();
    if (n.isTextual()) return n.textValue();
    if (n.isBoolean()) return n.booleanValue();
    if (n.isArray()) {
      List<Object> out = new ArrayList<>(n.size());
      for (JsonNode x : n) out.add(value(x));
      return out;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    boolean indexKeys = false;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), value(e.getValue()));
      indexKeys |= Js.arrayIndex(e.getKey()) >= 0;
    }
    return indexKeys ? jsKeyOrder(out) : out;
  }

  /** OrdinaryOwnPropertyKeys: array-index keys in ascending order, then the rest in insertion order. */
  public static Map<String, Object> jsKeyOrder(Map<String, Object> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.keySet().stream().filter(k -> Js.arrayIndex(k) >= 0).sorted((a, b) -> Integer.compare(Js.arrayIndex(a), Js.arrayIndex(b))).forEach(k -> out.put(k, m.get(k)));
    m.forEach((k, v) -> {
      if (Js.arrayIndex(k) < 0) out.put(k, v);
    });
    return out;
  }

  /** JSON.stringify(v); null for undefined (JSON.stringify returns undefined). */
  public static String stringify(Object v) {
    if (v == Js.UNDEFINED) return null;
    StringBuilder sb = new StringBuilder();
    write(sb, v);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v) {
    if (v == null || v == Js.UNDEFINED) {
      sb.append("null");
    } else if (v instanceof String s) {
      quote(sb, s);
    } else if (v instanceof Number n) {
      double d = n.doubleValue();
      sb.append(Double.isFinite(d) ? JsNumber.toString(d) : "null");
    } else if (v instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) sb.append(',');
        write(sb, l.get(i));
      }
      sb.append(']');
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getValue() == Js.UNDEFINED) continue;
        if (!first) sb.append(',');
        first = false;
        quote(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else {
      quote(sb, v.toString());
    }
  }

  /** QuoteJSONString, lone surrogates escaped (well-formed JSON.stringify). */
  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          boolean lone = Character.isHighSurrogate(c) ? !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
              : Character.isLowSurrogate(c) && !(i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
          if (c < 0x20 || lone) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }
}
